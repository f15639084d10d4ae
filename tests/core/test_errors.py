"""Fail loudly, in place: a visible box where the view would be, and a server log entry."""

import logging

import anywidget
import pytest
import traitlets
from fasthtml.common import Div
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter


class BrokenModule(anywidget.AnyWidget):
    _esm = "export default { render( {"  # a syntax error


class BrokenInitialize(anywidget.AnyWidget):
    _esm = "export default { initialize() { throw new Error('initialize exploded'); }, render() {} };"


class BrokenRender(anywidget.AnyWidget):
    _esm = "export default { async render() { throw new TypeError('render exploded'); } };"


@pytest.mark.parametrize(("widget_class", "phase", "message"), [
    (BrokenModule, "load", "SyntaxError"),
    (BrokenInitialize, "initialize", "initialize exploded"),
    (BrokenRender, "render", "render exploded"),
])
def test_failures_show_in_place_and_reach_the_server_log(serve, page, caplog, widget_class, phase,
                                                         message):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(widget_class(), Counter(value=4))

    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")
    page.goto(serve(app).url)
    box = page.locator(".fh-anywidget-error")
    expect(box).to_contain_text(f"tests.core.test_errors.{widget_class.__name__} failed to {phase}")
    expect(box).to_contain_text(message)
    page.locator("button.counter").click()  # the other widget on the page is undisturbed
    expect(page.locator("button.counter")).to_have_text("count is 5")

    def logged():
        return [r for r in caplog.records if r.name == "fh_anywidget.browser"
                and widget_class.__name__ in r.getMessage()]

    record = wait_until(logged, what="the browser's report in the server log")[0].getMessage()
    assert f"failed in {phase}" in record and message in record
    assert "\n" in record.strip()  # the stack travels with it
    page.console_errors.clear()  # the failure was also (rightly) printed to the console


class RaisesOnWrite(anywidget.AnyWidget):
    _esm = """export default { render({ model, el }) {
      const b = document.createElement("button"); b.className = "raises"; b.textContent = "go";
      b.onclick = () => { model.set("value", 1); model.save_changes(); }; el.append(b); } };"""
    value = traitlets.Int(0).tag(sync=True)

    @traitlets.observe("value")
    def _explode(self, change):
        raise ZeroDivisionError("the observer divided by zero")


def test_an_observer_that_raises_on_a_browser_write_reaches_the_server_log(serve, page, caplog):
    """ipywidgets swallows it into a logger nobody listens to; the host logs it, with where."""
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(RaisesOnWrite())

    caplog.set_level(logging.ERROR, logger="fh_anywidget")
    page.goto(serve(app).url)
    page.locator("button.raises").click()

    def logged():
        return [r for r in caplog.records if r.name == "fh_anywidget" and "RaisesOnWrite" in r.getMessage()]

    line = wait_until(logged, what="the exception in the server log")[0].getMessage()
    assert "ZeroDivisionError: the observer divided by zero" in line
    assert "_explode" in line  # the frames travel with it
    page.console_errors.clear()  # the writer is told too, in its console
