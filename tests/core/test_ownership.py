"""A page owns what it rendered, not what was created while it was being made (issue 10,
items 3 and 9, and the display hooks Jupyter calls when it shows a widget)."""

from __future__ import annotations

import anywidget
import ipywidgets
import traitlets
from fasthtml.common import Div, Titled
from playwright.sync_api import expect

from fh_anywidget.models import Ownership, registry
from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.peer import Visitor
from tests.widgets.counter import Counter


def test_a_widget_made_by_one_request_and_rendered_by_a_later_one_is_live(serve, page):
    """A POST handler makes a widget and keeps it; the GET that renders it owns it, after the
    POST's grace period too."""
    app, rt, host = make_app(grace=5)
    kept: dict[str, Counter] = {}

    @rt("/make", methods=["post"])
    def make():
        kept["c"] = Counter(value=7)  # not rendered here
        return "made"

    @rt("/")
    def index():
        return Titled("later", kept["c"])

    url = serve(app).url
    visitor = Visitor(url)
    assert visitor.opener.open(url + "/make", data=b"", timeout=10).status == 200
    counter = kept["c"]
    record = registry.get(counter.model_id)
    assert record.ownership is Ownership.UNCLAIMED
    host.pages.sweep(now=float("inf"))  # every page made so far has retired
    assert registry.get(counter.model_id) is record and not record.closed
    page.goto(url)
    expect(page.locator("button.counter")).to_have_text("count is 7")
    page.locator("button.counter").click()
    wait_until(lambda: counter.value == 8, what="the click to reach Python")
    assert record.ownership is Ownership.OWNED and record.owner.token == page.locator(
        "fh-anywidget").get_attribute("page")


class Parent(anywidget.AnyWidget):
    """Makes a new child widget (from an observer) whenever the browser bumps ``value``."""

    _esm = """export default { render({ model, el }) {
      const b = document.createElement("button"); b.className = "parent";
      b.textContent = "parent"; b.onclick = () => { model.set("value", model.get("value") + 1);
      model.save_changes(); }; el.append(b); } };"""
    value = traitlets.Int(0).tag(sync=True)
    child = traitlets.Instance(ipywidgets.Widget, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization)

    @traitlets.observe("value")
    def _spawn(self, change):
        self.child = Counter(value=change["new"])


def test_widgets_an_inherited_widgets_observer_creates_go_with_its_new_owner(serve, new_context):
    """Page 1 makes a widget that page 2 also shows; page 1 retires and page 2 inherits it.
    What its observer creates afterwards belongs to page 2, and goes when page 2 does."""
    app, rt, host = make_app(grace=60)
    made: list[Parent] = []

    @rt("/")
    def first():
        made.append(Parent())
        return Titled("first", made[0])

    @rt("/again")
    def again():
        return Titled("again", made[0])

    url = serve(app).url
    first_tab, second_tab = new_context().new_page(), new_context().new_page()
    first_tab.goto(url)
    second_tab.goto(url + "/again")
    expect(second_tab.locator("button.parent")).to_have_count(1)
    parent = registry.get(made[0].model_id)
    first_page = parent.owner
    second_token = second_tab.locator("fh-anywidget").get_attribute("page")
    first_tab.close()
    wait_until(lambda: not first_page.held, what="the first tab's socket to go")
    host.pages.sweep(now=first_page.idle_since + 60)  # the first page retires, the second inherits
    assert parent.owner is host.pages.get(second_token) and not parent.closed

    second_tab.locator("button.parent").click()
    wait_until(lambda: made[0].child is not None, what="the observer to make a child")
    child = registry.get(made[0].child.model_id)
    assert child.owner is parent.owner  # not the retired page
    second_tab.close()
    second = host.pages.get(second_token)
    wait_until(lambda: not second.held, what="the second tab's socket to go")
    host.pages.sweep(now=second.idle_since + 60)
    assert child.closed and parent.closed


class SyncsOnDisplay(anywidget.AnyWidget):
    """Fills its state in ``_repr_mimebundle_``, as Jupyter's display() calls it."""

    _esm = """export default { render({ model, el }) {
      el.innerHTML = `<b class=shown>${model.get('text')}</b>`; } };"""
    text = traitlets.Unicode("").tag(sync=True)

    def _repr_mimebundle_(self, **kwargs):
        self.text = "filled when displayed"
        return super()._repr_mimebundle_(**kwargs)


def test_a_widget_is_asked_for_its_mime_bundle_when_shown_as_jupyter_does(serve, page):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(SyncsOnDisplay())

    page.goto(serve(app).url)
    expect(page.locator("b.shown")).to_have_text("filled when displayed")
