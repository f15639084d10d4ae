"""Isolation under load: one session's blocked observer does not hold up another session, and
concurrent Python writers to a shared widget leave every view on the server's final value."""

from __future__ import annotations

import random
import threading
import time

import pytest
import traitlets
from fasthtml.common import Div, Titled
from playwright.sync_api import expect

from fh_anywidget.wire import Slot
from tests.apps import make_app
from tests.conftest import LOOPBACK, wait_until
from tests.security.widgets import Gated
from tests.widgets.counter import Counter

ROUNDS = 200


class SlowToSerialize(Counter):
    """Its serializer lets other threads run between reading the trait and sending it (as
    serializers that release the GIL do), which is where concurrent writers race."""

    value = traitlets.Int(0).tag(sync=True, to_json=lambda v, _w: (time.sleep(0), v)[1])


@pytest.fixture
def second_page(browser):
    """A page in a context of its own: another browser, another session."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if (r.request.url.split("/")[2].split(":")[0]
                                                     in LOOPBACK) else r.abort())
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def test_blocked_observer_in_one_session_does_not_delay_another(serve, page, second_page):
    app, rt, host = make_app()
    gated: list[Gated] = []
    counters: list[Counter] = []

    @rt("/gated")
    def gated_page():
        gated.append(Gated())
        return Titled("A", gated[-1])

    @rt("/counter")
    def counter_page():
        counters.append(Counter(value=1))
        return Titled("B", counters[-1])

    url = serve(app).url
    page.goto(url + "/gated")
    second_page.goto(url + "/counter")
    a = gated[0]
    try:
        page.locator("button.gated").click()
        assert a.entered.wait(10), "A's observer never ran"
        # A's observer is now blocked on a gate only this test opens. Session B round-trips:
        button = second_page.locator("button.counter")
        button.click()
        wait_until(lambda: counters[0].value == 2, what="B's click to reach Python")
        counters[0].value = 41
        expect(button).to_have_text("count is 41")
        assert not a.gate.is_set() and a.seen == [], "B finished only after A was released"
    finally:
        a.gate.set()
    wait_until(lambda: a.seen == [1], what="A's observer to finish")
    expect(page.locator("button.gated")).to_have_text("gated 1")
    host.close()


def test_eight_threads_on_a_shared_widget_leave_every_view_equal(serve, page, second_page):
    app, rt, host = make_app()
    shared = SlowToSerialize(value=0)

    @rt("/")
    def index():
        return Titled("Shared", Div(shared))

    url = serve(app).url
    page.goto(url)
    second_page.goto(url)
    views = [p.locator("button.counter") for p in (page, second_page)]
    for view in views:
        expect(view).to_have_text("count is 0")
    record = host.registry.get(shared.model_id)
    start, end = threading.Barrier(9), threading.Barrier(9)
    stale_rounds = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(ROUNDS):
            start.wait()
            shared.value = rng.randrange(1_000_000)
            end.wait()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for n in range(ROUNDS):  # every round ends with eight writes racing each other
        start.wait()
        end.wait()
        if record.slots["value"].json != Slot.of(shared.value).json:
            stale_rounds.append(n)
    for t in threads:
        t.join()
    assert not stale_rounds, f"the host's snapshot went stale in rounds {stale_rounds}"
    final = shared.value
    for view in views:
        expect(view).to_have_text(f"count is {final}")
    assert not page.console_errors and not second_page.console_errors
    host.close()
