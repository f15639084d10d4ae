"""Swaps: widgets inside fragments htmx swaps in, out, or replaces render and tear down, moved
ones are not re-initialized, navigation and history keep working, and nothing leaks."""

import re

from fasthtml.common import A, Button, Div, P, Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until

from .widgets import Probe

# In-page counts: the probe widget's initialize/render/live views, and the runtime's books.
BROWSER_STATE = """() => {
  const r = [...fhAnywidget.runtimes.values()][0];
  const entries = [...r.registry.entries.values()];
  return {
    models: entries.length,
    listeners: entries.reduce((n, e) => n + e.model.listeners.length, 0),
    views: entries.reduce((n, e) => n + (e.widget?.views.size ?? 0), 0),
    waiters: r.registry.waiters.size,
    pages: r.registry.attachedPages.size,
    tokens: r.connection.tokens.size,
    live: globalThis.probe.live,
    initialize: globalThis.probe.initialize,
  };
}"""

WAIT_FOR = """(check) => new Promise((resolve) => {
  const poll = () => (check() ? resolve() : setTimeout(poll, 5));
  poll();
})"""


def server_state(host):
    pages = list(host.pages.pages.values())
    sockets = {c for p in pages for c in p.holders()}
    opened = {m for c in sockets for m in c.grants.models()}
    return {
        "pages": len(pages),
        "sockets": len(sockets),
        "held": sum(len(c.pages) for c in sockets),
        "open": len(opened),
        "subscriptions": sum(len(host.registry.get(m).subscribers) for m in opened
                             if host.registry.get(m) is not None),
        "models": sum(1 for m in host.registry.models if m in opened),
    }


def test_innerhtml_outerhtml_and_oob_swaps_render_and_tear_down(serve, page):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Titled("swaps", Div(id="slot"), Div(id="side"),
                      Button("in", id="in", hx_get="/frag", hx_target="#slot"),
                      Button("replace", id="replace", hx_get="/frag/outer", hx_target="#slot",
                             hx_swap="outerHTML"),
                      Button("side", id="side-btn", hx_get="/side", hx_swap="none"),
                      Button("out", id="out", hx_get="/empty", hx_target="#slot"))

    @rt("/frag")
    def frag():
        return Probe(value=1)

    @rt("/frag/outer")
    def outer():
        return Div(Probe(value=2), id="slot")

    @rt("/side")
    def side():
        return Div(Probe(value=3), id="side", hx_swap_oob="true")

    @rt("/empty")
    def empty():
        return ""

    page.goto(serve(app).url)
    page.wait_for_function("globalThis.fhAnywidget !== undefined")
    page.click("#in")
    expect(page.locator("#slot input.probe")).to_have_value("1")
    page.click("#replace")
    expect(page.locator("#slot input.probe")).to_have_value("2")
    page.click("#side-btn")
    expect(page.locator("#side input.probe")).to_have_value("3")
    page.click("#side-btn")
    expect(page.locator("#side input.probe")).to_have_value("3")
    page.wait_for_function("globalThis.probe.live === 2")  # replaced views were torn down
    page.click("#out")
    page.wait_for_function("globalThis.probe.live === 1")
    assert page.evaluate("globalThis.probe.render") == 4
    assert not page.console_errors


def test_a_widget_moved_by_hx_preserve_is_not_reinitialized_or_rerendered(serve, page):
    app, rt, _ = make_app()
    shared = Probe(value=7)

    @rt("/")
    def index():
        return Titled("keep", Div(Div(shared, id="keep", hx_preserve="true"), P("old"),
                                  id="region"),
                      Button("swap", id="swap", hx_get="/region", hx_target="#region",
                             hx_swap="outerHTML"))

    @rt("/region")
    def region():
        return Div(P("new"), Div(id="keep", hx_preserve="true"), id="region")

    page.goto(serve(app).url)
    expect(page.locator("#keep input.probe")).to_have_value("7")
    page.evaluate("document.querySelector('#keep fh-anywidget').marked = true")
    before = page.evaluate(BROWSER_STATE)
    page.click("#swap")
    expect(page.locator("#region p")).to_have_text("new")
    assert page.evaluate("document.querySelector('#keep fh-anywidget').marked") is True
    shared.value = 8  # still live
    expect(page.locator("#keep input.probe")).to_have_value("8")
    after = page.evaluate(BROWSER_STATE)
    assert page.evaluate("globalThis.probe.render") == 1
    assert after["initialize"] == before["initialize"] == 1
    assert after["live"] == 1
    assert not page.console_errors


def test_boost_navigation_and_history_back_forward_keep_widgets_live(serve, page):
    app, rt, host = make_app(grace=2.0)
    made: dict[str, list[Probe]] = {"one": [], "two": []}

    def layout(name, other):
        made[name].append(Probe(value=len(made[name]) * 10 + (1 if name == "one" else 2)))
        return Titled(name, Div(made[name][-1], A(other, href=f"/{other}", id="nav"),
                                hx_boost="true"))

    @rt("/one")
    def one():
        return layout("one", "two")

    @rt("/two")
    def two():
        return layout("two", "one")

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(serve(app).url + "/one")
    expect(page.locator("input.probe")).to_have_value("1")
    page.evaluate("window.sameDocument = true")
    page.click("#nav")
    expect(page).to_have_url(re.compile(r".*/two$"))
    expect(page.locator("input.probe")).to_have_value("2")
    page.go_back()
    expect(page).to_have_url(re.compile(r".*/one$"))
    # No stale snapshot: htmx fetched the page again, its widgets are new and live.
    expect(page.locator("input.probe")).to_have_value("11")
    page.locator("input.probe").fill("99")
    page.locator("input.probe").press("Enter")
    wait_until(lambda: made["one"][-1].value == 99, what="the restored page's widget to write")
    page.go_forward()
    expect(page.locator("input.probe")).to_have_value("12")
    assert page.evaluate("window.sameDocument") is True  # htmx navigated, no reload
    assert len(sockets) == 1
    page.wait_for_function("globalThis.probe.live === 1")
    # Pages the document left are let go of: only the shown one stays, the others retire.
    wait_until(lambda: server_state(host)["pages"] == 1, what="left pages to retire")
    assert server_state(host)["held"] == 1
    assert not page.console_errors


def test_no_leaks_after_100_swap_cycles(serve, page):
    app, rt, host = make_app(grace=2.0)
    shared = Probe(value=0)

    @rt("/")
    def index():
        return Titled("leaks", shared, Div(id="slot"), Div(id="side"))

    @rt("/frag")
    def frag():  # a new page-owned widget each time, next to the shared one
        return Div(Probe(value=1), shared, id="inner")

    @rt("/frag/oob")
    def oob():
        return Div(Probe(value=2), id="side", hx_swap_oob="true")

    @rt("/empty")
    def empty():
        return Div(id="side", hx_swap_oob="true")

    page.goto(serve(app).url)
    expect(page.locator("input.probe")).to_have_value("0")

    def cycles(n):
        page.evaluate(f"""async (n) => {{
          const waitFor = {WAIT_FOR};
          const probes = () => document.querySelectorAll("#slot input.probe, #side input.probe");
          for (let i = 0; i < n; i++) {{
            await htmx.ajax("GET", "/frag", {{ target: "#slot", swap: "innerHTML" }});
            await waitFor(() => probes().length === 2);
            await htmx.ajax("GET", "/frag", {{ target: "#inner", swap: "outerHTML" }});
            await htmx.ajax("GET", "/frag/oob", {{ target: "#side", swap: "none" }});
            await waitFor(() => probes().length === 3 && probes()[2].value === "2");
            await htmx.ajax("GET", "/empty", {{ target: "#slot", swap: "innerHTML" }});
            await waitFor(() => probes().length === 0);
          }}
        }}""", n)

    def settled():
        wait_until(lambda: server_state(host)["pages"] == 1, timeout=30,
                   what="fragment pages to retire")
        page.wait_for_function("""() => {
          const r = [...fhAnywidget.runtimes.values()][0];
          return r.registry.entries.size === r.connection.tokens.size + 1;
        }""")  # shared probe + layout, on one page: its owned models closed

    cycles(1)
    settled()
    browser, server = page.evaluate(BROWSER_STATE), server_state(host)
    cycles(100)
    settled()
    browser_after, server_after = page.evaluate(BROWSER_STATE), server_state(host)
    browser_after.pop("initialize")
    assert browser.pop("initialize") + 300 == page.evaluate("globalThis.probe.initialize")
    assert browser_after == browser
    assert server_after == server
    # listeners of the one live view: its own change listener, and the layout follower's two
    # (the widget's change:layout and its Layout model's change)
    assert browser == {"models": 2, "listeners": 3, "views": 1, "waiters": 0, "pages": 1,
                       "tokens": 1, "live": 1}
    assert server == {"pages": 1, "sockets": 1, "held": 1, "open": 2, "subscriptions": 2,
                      "models": 2}
    assert not page.console_errors
