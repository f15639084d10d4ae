"""Authoritative server, converging views, ownership, threads (issue 2, points 7-9)."""

import threading

import traitlets
from fasthtml.common import Div, P
from playwright.sync_api import expect

from tests.apps import make_app, serve_widgets
from tests.conftest import wait_until
from tests.core.helpers import raw_send, record_server_errors, server_errors
from tests.widgets.counter import Bounded, Counter


def test_refused_write_snaps_back_and_says_why(serve, page):
    app, rt, _ = make_app()
    made = []

    @rt("/")
    def index():
        made.append(Bounded())
        return Div(made[-1])

    page.goto(serve(app).url)
    record_server_errors(page)
    box = page.locator("input.bounded")
    expect(box).to_have_value("5")
    box.fill("42")
    box.dispatch_event("change")
    expect(box).to_have_value("5")  # Python refused: the view snaps back
    page.wait_for_function("() => window.serverErrors.length > 0")
    assert "value must be within 0..10" in server_errors(page)[0]
    assert made[0].value == 5
    box.fill("7")
    box.dispatch_event("change")
    wait_until(lambda: made[0].value == 7, what="an accepted write")
    expect(box).to_have_value("7")


def test_views_converge_across_views_pages_and_browsers(serve, browser, page):
    shared = Counter(value=10)
    url = serve_widgets(serve, P("two views of one model"), shared, shared)
    other_browser = browser.new_context()
    pages = [page, page.context.new_page(), other_browser.new_page()]
    for p in pages:
        p.goto(url)
        expect(p.locator("button.counter")).to_have_count(2)
        expect(p.locator("button.counter").first).to_have_text("count is 10")
    pages[2].locator("button.counter").nth(1).click()  # a click in the second browser ...
    wait_until(lambda: shared.value == 11, what="Python to apply the click")
    for p in pages:  # ... reaches every view everywhere, the clicking one included
        expect(p.locator("button.counter")).to_have_text(["count is 11", "count is 11"])
    shared.value = 100
    for p in pages:
        expect(p.locator("button.counter")).to_have_text(["count is 100", "count is 100"])
    other_browser.close()


def test_request_widgets_are_private_and_module_widgets_shared(serve, page):
    shared = Counter(value=1)
    app, rt, _ = make_app()
    made = []

    @rt("/")
    def index():
        made.append(Counter(value=0))
        return Div(made[-1], shared)

    server = serve(app)
    page.goto(server.url)
    second = page.context.new_page()
    second.goto(server.url)
    expect(second.locator("button.counter")).to_have_count(2)
    assert made[0].model_id != made[1].model_id
    record_server_errors(second)
    # The second page tries to write the first page's private widget: refused, nothing changes.
    raw_send(second, {"type": "update", "model": made[0].model_id, "state": {"value": 99},
                      "buffer_paths": []})
    second.wait_for_function("() => window.serverErrors.length > 0")
    assert "no model" in server_errors(second)[0]
    assert made[0].value == 0
    # Both pages do see, and move, the module-level widget.
    second.locator("button.counter").nth(1).click()
    expect(page.locator("button.counter").nth(1)).to_have_text("count is 2")
    expect(page.locator("button.counter").first).to_have_text("count is 0")


def test_changes_from_threads_and_sync_handlers_reach_the_browser(serve, page):
    shared = Counter(value=0)
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(shared)

    @rt("/bump", methods=["post"])
    def bump():  # a sync handler: FastHTML runs it on a worker thread
        shared.value += 1000
        return "ok"

    page.goto(serve(app).url)
    button = page.locator("button.counter")
    expect(button).to_have_text("count is 0")
    worker = threading.Thread(target=lambda: setattr(shared, "value", 5))
    worker.start()
    worker.join()
    expect(button).to_have_text("count is 5")
    page.evaluate("() => fetch('/bump', { method: 'POST' })")
    expect(button).to_have_text("count is 1005")


class Slow(Counter):
    """A widget whose observer blocks until the test lets it go."""

    gate = threading.Event()
    entered = threading.Event()

    @traitlets.observe("value")
    def _wait(self, change):
        Slow.entered.set()
        Slow.gate.wait(timeout=30)


def test_a_blocked_observer_stalls_no_other_session(serve, page):
    app, rt, _ = make_app()
    made: dict[str, Counter] = {}

    @rt("/slow")
    def slow():
        made["slow"] = Slow()
        return Div(made["slow"])

    @rt("/fast")
    def fast():
        made["fast"] = Counter()
        return Div(made["fast"])

    server = serve(app)
    Slow.gate.clear()
    page.goto(server.url + "/slow")
    other = page.context.browser.new_context().new_page()
    other.goto(server.url + "/fast")
    page.locator("button.counter").click()
    wait_until(Slow.entered.is_set, what="the slow observer to start")
    other.locator("button.counter").click()  # another session, while the observer blocks
    wait_until(lambda: made["fast"].value == 1, what="the other session's write")
    assert not Slow.gate.is_set()  # causality, not timing: it happened while blocked
    Slow.gate.set()
    wait_until(lambda: made["slow"].value == 1, what="the slow write to finish")
    other.context.close()
