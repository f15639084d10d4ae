"""Widget → page: Python reacting to a widget pushes FT fragments and DOM events over the page's
own socket; htmx (or plain DOM code without htmx) swaps them in by id."""

from fasthtml.common import Button, Div, Li, Titled, Ul
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter


def test_observer_push_swaps_fragment_and_hx_attributes_inside_work(serve, page):
    app, rt, host = make_app()
    made = []
    posted = []

    def make():
        made.append(Counter(value=1))
        made[-1].observe(lambda change: host.push(made[-1], Div(
            f"value {change.new}",
            Button("ping", hx_post="/ping", hx_target="#pong", cls="ping"),
            id="out")), names="value")
        return made[-1]

    @rt("/")
    def index():
        return Titled("push", make(), Div("value ?", id="out"), Div(id="pong"))

    @rt("/ping", methods=["post"])
    def ping():
        posted.append(True)
        return "pong!"

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(serve(app).url)
    page.locator("button.counter").click()
    expect(page.locator("#out")).to_contain_text("value 2")
    page.locator("#out button.ping").click()  # htmx processed the pushed hx-post
    expect(page.locator("#pong")).to_have_text("pong!")
    assert posted == [True]
    made[0].value = 7  # a change made in Python pushes too
    expect(page.locator("#out")).to_contain_text("value 7")
    assert len(sockets) == 1 and "/_fh_anywidget/ws" in sockets[0]  # no second socket
    assert not page.console_errors


def test_shared_widget_pushes_to_every_page_by_default_or_only_the_origin(serve, new_tab):
    app, rt, host = make_app()
    shared = Counter(value=0)

    def follow(change):
        host.push(shared, Div(f"all {change.new}", id="all"))
        host.push(shared, Div(f"mine {change.new}", id="mine"), to="origin")

    shared.observe(follow, names="value")

    @rt("/")
    def index():
        return Titled("shared", shared, Div("all ?", id="all"), Div("mine ?", id="mine"))

    url = serve(app).url
    a, b = new_tab(), new_tab()
    for p in (a, b):
        p.goto(url)
        expect(p.locator("button.counter")).to_have_text("count is 0")
    a.locator("button.counter").click()
    for p in (a, b):
        expect(p.locator("#all")).to_have_text("all 1")
    expect(a.locator("#mine")).to_have_text("mine 1")
    # Both messages went out in order on each socket: b saw "all 1", so it would have seen
    # "mine 1" before it had it been sent there.
    assert b.locator("#mine").inner_text() == "mine ?"
    b.locator("button.counter").click()
    expect(b.locator("#mine")).to_have_text("mine 2")
    expect(a.locator("#all")).to_have_text("all 2")
    assert a.locator("#mine").inner_text() == "mine 1"
    shared.value = 10  # made in Python: no origin, so "origin" reaches every page
    for p in (a, b):
        expect(p.locator("#mine")).to_have_text("mine 10")


def test_trigger_fires_an_event_hx_trigger_listens_to(serve, page):
    app, rt, host = make_app()
    made = []

    def make():
        made.append(Counter(value=0))
        made[-1].observe(lambda change: host.trigger(made[-1], "counted", {"n": change.new}),
                         names="value")
        return made[-1]

    @rt("/")
    def index():
        return Titled("trigger", make(),
                      Div("never", id="summary", hx_get="/summary",
                          hx_trigger="counted from:body"))

    @rt("/summary")
    def summary():
        return f"summary of {made[0].value}"

    page.goto(serve(app).url)
    page.evaluate("document.addEventListener('counted', (e) => { window.seen = e.detail.n; })")
    page.locator("button.counter").click()
    expect(page.locator("#summary")).to_have_text("summary of 1")
    assert page.evaluate("window.seen") == 1


def test_without_htmx_fragments_replace_by_id_and_oob_styles_apply(serve, page):
    app, rt, host = make_app(htmx=False)
    made = []

    def make():
        made.append(Counter(value=0))
        return made[-1]

    @rt("/")
    def index():
        return Titled("plain", make(), Div("old", id="out"), Ul(Li("first"), id="list"),
                      Div("gone soon", id="doomed"))

    page.goto(serve(app).url)
    expect(page.locator("button.counter")).to_have_text("count is 0")
    assert page.evaluate("typeof htmx") == "undefined"
    n = host.push(made[0], Div("new", id="out", cls="fresh"),
                  Ul(Li("second"), id="list", hx_swap_oob="beforeend"),
                  Div(id="doomed", hx_swap_oob="delete"),
                  Div("nowhere", id="not-on-this-page"))
    assert n == 1
    expect(page.locator("#out.fresh")).to_have_text("new")
    expect(page.locator("#list li")).to_have_text(["first", "second"])
    expect(page.locator("#doomed")).to_have_count(0)
    assert not page.console_errors


def test_widget_inside_a_pushed_fragment_renders_on_the_same_socket(serve, page):
    app, rt, host = make_app()
    made = []
    inner = []

    @rt("/")
    def index():
        made.append(Counter(value=0))
        return Titled("nested", made[-1], Div(id="slot"))

    def show_child(change):
        inner.append(Counter(value=100 + change.new))
        host.push(made[0], Div(inner[-1], id="slot"))

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(serve(app).url)
    made[0].observe(show_child, names="value")
    page.locator("button.counter").first.click()
    child = page.locator("#slot button.counter")
    expect(child).to_have_text("count is 101")
    child.click()
    wait_until(lambda: inner[0].value == 102, what="the pushed widget's click to reach Python")
    assert len(sockets) == 1
    assert not page.console_errors


def test_push_to_the_document_that_sent_a_request(serve, new_tab):
    app, rt, host = make_app()

    @rt("/")
    def index():
        return Titled("req", Counter(), Div("idle", id="job"),
                      Button("start", hx_post="/start", hx_swap="none", id="start"))

    @rt("/start", methods=["post"])
    def start(req):
        assert host.push(req, Div("done", id="job")) == 1  # e.g. from a background job later
        return ""

    url = serve(app).url
    a, b = new_tab(), new_tab()
    for p in (a, b):
        p.goto(url)
        expect(p.locator("button.counter")).to_have_text("count is 0")
    a.locator("#start").click()
    expect(a.locator("#job")).to_have_text("done")
    assert b.locator("#job").inner_text() == "idle"
