"""Reconnect with full resync: 50 drops during an interaction loop lose nothing and duplicate
nothing; an unknown page (server restarted) says so and offers a reload."""

from __future__ import annotations

import asyncio
import re
import threading

from fasthtml.common import Div, Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.test_isolation import second_page  # noqa: F401 (fixture)
from tests.security.widgets import Tally
from tests.widgets.counter import Bounded

DROPS = 50
ONLINE = "html[data-fh-anywidget=online]"


def drop_from_server(host, token: str) -> int:
    """Close, from the server side, every socket that carries page ``token``."""
    def carriers():
        return [c for c in list(host.server.connections) if any(p.token == token for p in c.pages)]

    closed = 0
    for conn in wait_until(carriers, what="the page's socket on the server"):
        asyncio.run_coroutine_threadsafe(
            conn.websocket.close(1012, "test: server drops the socket"), conn.loop).result(5)
        closed += 1
    return closed


DROP_FROM_BROWSER = """() => {
  for (const runtime of fhAnywidget.runtimes.values()) runtime.connection.ws.close();
}"""


WATCH_OWN_VIEW = """() => {
  const button = document.querySelector("#mine button.tally");
  window.shownClicks = [];
  new MutationObserver(() => window.shownClicks.push(button.textContent))
    .observe(button, { childList: true, characterData: true, subtree: true });
}"""


def test_fifty_drops_lose_and_duplicate_nothing(serve, page, second_page):  # noqa: F811
    app, rt, host = make_app()
    shared = Tally()
    mine: list[Tally] = []

    @rt("/")
    def index():
        mine.append(Tally())
        return Titled("Tally", Div(mine[-1], id="mine"), Div(shared, id="shared"))

    url = serve(app).url
    page.goto(url)
    second_page.goto(url)
    token = page.locator("#mine fh-anywidget").get_attribute("page")
    own, common = page.locator("#mine button.tally"), page.locator("#shared button.tally")
    expect(own).to_have_text("0/0")
    expect(page.locator(ONLINE)).to_have_count(1)
    page.evaluate(WATCH_OWN_VIEW)
    clicks_own = clicks_shared = 0
    for n in range(DROPS):
        expect(page.locator(ONLINE)).to_have_count(1)
        own.click()
        common.click()  # both messages are likely still in flight when the socket drops
        clicks_own += 1
        clicks_shared += 1
        if n % 2:
            assert drop_from_server(host, token) == 1
        else:
            page.evaluate(DROP_FROM_BROWSER)
        for _ in range(n % 3):  # clicks while offline: queued, sent after the reconnect
            own.click()
            clicks_own += 1
    expect(page.locator(ONLINE)).to_have_count(1)
    want_own, want_shared = f"{clicks_own}/{clicks_own}", f"{clicks_shared}/{clicks_shared}"
    wait_until(lambda: (mine[0].clicks, mine[0].total) == (clicks_own, clicks_own),
               what=f"Python to count {clicks_own} own clicks")
    wait_until(lambda: (shared.clicks, shared.total) == (clicks_shared, clicks_shared),
               what="Python to count the shared clicks")
    expect(own).to_have_text(want_own)
    expect(common).to_have_text(want_shared)
    expect(second_page.locator("#shared button.tally")).to_have_text(want_shared)
    expect(second_page.locator("#mine button.tally")).to_have_text("0/0")
    # the view never fell back behind the user's own edits (no stale resync flicker)
    shown = [int(text.split("/")[0]) for text in page.evaluate("() => window.shownClicks")]
    assert shown and shown == sorted(shown), shown
    # nothing is left unacknowledged in the browser
    assert page.evaluate("() => [...fhAnywidget.runtimes.values()][0].connection.unacked.size") == 0
    assert not [e for e in page.console_errors if "server:" in e]
    host.close()


def restart(host) -> None:
    """What a restarted server knows about the pages it rendered: nothing (and the sockets drop)."""
    carriers = wait_until(lambda: list(host.server.connections))
    host.pages.pages.clear()
    host.pages.clients.clients.clear()
    for conn in carriers:
        asyncio.run_coroutine_threadsafe(conn.websocket.close(1012), conn.loop).result(5)


def test_unknown_page_after_restart_is_visibly_dead_and_offers_reload(serve, page):
    app, rt, host = make_app()
    made: list[Tally] = []

    @rt("/")
    def index():
        made.append(Tally())
        return Titled("Tally", made[-1])

    url = serve(app).url
    page.goto(url)
    button = page.locator("button.tally")
    expect(button).to_have_text("0/0")
    restart(host)
    badge = page.locator(".fh-anywidget-status")
    expect(badge).to_contain_text("expired")
    view = page.locator("fh-anywidget")
    expect(view).to_have_class(re.compile("fh-anywidget-expired"))
    assert page.evaluate("document.querySelector('fh-anywidget').inert") is True
    box = button.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a real click
    page.evaluate("() => new Promise(requestAnimationFrame)")
    expect(button).to_have_text("0/0")  # inert: it did nothing, nothing counts locally
    page.get_by_role("button", name="Reload").click()
    expect(page.locator("button.tally")).to_have_text("0/0")
    expect(badge).to_be_hidden()
    assert len(made) == 2  # the reload rendered a fresh page
    host.close()


def test_an_app_can_have_expired_pages_reload_themselves(serve, page):
    app, rt, host = make_app(on_expired="reload")
    made: list[Tally] = []

    @rt("/")
    def index():
        made.append(Tally())
        return Titled("Tally", made[-1])

    page.goto(serve(app).url)
    expect(page.locator("button.tally")).to_have_text("0/0")
    page.evaluate("window.before = true")
    with page.expect_navigation():  # (Playwright serves the page's requests while it waits)
        restart(host)
    assert len(made) == 2
    expect(page.locator("button.tally")).to_have_text("0/0")
    assert page.evaluate("window.before") is None  # a new document
    page.locator("button.tally").click()
    wait_until(lambda: made[1].clicks == 1, what="the reloaded page to be live")
    host.close()


def test_offline_badge_while_refused_then_edits_arrive(serve, page):
    allow = threading.Event()
    allow.set()
    app, rt, host = make_app(auth=lambda scope: allow.is_set())  # e.g. the session lapsed
    made: list[Tally] = []
    bounded = Bounded(value=5)

    @rt("/")
    def index():
        made.append(Tally())
        return Titled("Tally", Div(made[-1]), Div(bounded))

    page.goto(serve(app).url)
    button, field = page.locator("button.tally"), page.locator("input.bounded")
    expect(button).to_have_text("0/0")
    allow.clear()
    drop_from_server(host, page.locator("fh-anywidget").first.get_attribute("page"))
    badge = page.locator(".fh-anywidget-status")
    expect(badge).to_have_text("Offline — reconnecting…")
    button.click()  # edits made while offline: one Python accepts, one it refuses
    expect(button).to_have_text("1/0")
    field.fill("50")
    field.dispatch_event("change")
    assert (made[0].clicks, made[0].total) == (0, 0)
    allow.set()  # e.g. logged in again in another tab: the page comes back by itself
    expect(badge).to_be_hidden()
    expect(button).to_have_text("1/1")
    expect(field).to_have_value("5")  # refused after the reconnect: the view snaps back
    assert (made[0].clicks, made[0].total, bounded.value) == (1, 1, 5)
    host.close()
