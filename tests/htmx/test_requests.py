"""Page → widget: an ordinary htmx request finds the requesting page's widgets (its page tokens
travel in a header the runtime adds) and sets their traits; every view follows."""

from fasthtml.common import Button, Div, Form, Input, Titled
from playwright.sync_api import expect
from starlette.testclient import TestClient

from fh_anywidget.htmx import PAGES_HEADER
from tests.apps import make_app
from tests.widgets.counter import Counter

from .widgets import Probe


def _set_form():
    return Form(Input(name="value", type="number", id="value"), Button("set", id="set"),
                hx_post="/set", hx_target="#status")


def test_hx_post_sets_the_page_owned_widget_of_that_tab_only(serve, new_tab):
    app, rt, host = make_app()

    @rt("/")
    def index():
        return Titled("form", Probe(value=1), Counter(value=0), _set_form(), Div(id="status"))

    @rt("/set", methods=["post"])
    def set_value(req, value: int):
        probes = host.widgets(req, Probe)
        for probe in probes:
            probe.value = value
        return f"set {len(probes)} of {len(host.widgets(req))} widgets"

    url = serve(app).url
    a, b = new_tab(), new_tab()
    for p in (a, b):
        p.goto(url)
        expect(p.locator("input.probe")).to_have_value("1")
    a.fill("#value", "42")
    a.click("#set")
    expect(a.locator("#status")).to_have_text("set 1 of 2 widgets")
    expect(a.locator("input.probe")).to_have_value("42")
    b.fill("#value", "5")
    b.click("#set")
    expect(b.locator("input.probe")).to_have_value("5")
    expect(a.locator("input.probe")).to_have_value("42")  # a's own widget was not touched
    assert not a.console_errors and not b.console_errors


def test_hx_post_sets_a_shared_widget_every_page_follows(serve, new_tab):
    app, rt, host = make_app()
    shared = Probe(value=0)

    @rt("/")
    def index():
        return Titled("shared", shared, _set_form(), Div(id="status"))

    @rt("/set", methods=["post"])
    def set_value(req, value: int):
        (probe,) = host.widgets(req, Probe)
        probe.value = value
        return "ok"

    url = serve(app).url
    a, b = new_tab(), new_tab()
    for p in (a, b):
        p.goto(url)
    a.fill("#value", "9")
    a.click("#set")
    for p in (a, b):
        expect(p.locator("input.probe")).to_have_value("9")
    assert shared.value == 9


def test_fragment_pages_travel_too_and_tokens_are_useless_to_another_session(serve, page):
    app, rt, host = make_app()
    seen = {}

    @rt("/")
    def index():
        return Titled("frag", Probe(value=1), Div(id="slot", hx_get="/frag", hx_trigger="load"),
                      Button("who", id="who", hx_post="/who", hx_target="#status"),
                      Div(id="status"))

    @rt("/frag")
    def frag():
        return Counter(value=3)

    @rt("/who", methods=["post"])
    def who(req):
        seen["tokens"] = req.headers.get(PAGES_HEADER, "").split()
        return " ".join(sorted(type(w).__name__ for w in host.widgets(req)))

    server = serve(app)
    page.goto(server.url)
    expect(page.locator("#slot button.counter")).to_have_text("count is 3")
    page.click("#who")
    expect(page.locator("#status")).to_have_text("Counter Probe")
    assert len(seen["tokens"]) == 2
    # Same tokens from a client without the tab's session cookie: no pages, no widgets.
    with TestClient(app) as other:
        assert other.post("/who", headers={PAGES_HEADER: " ".join(seen["tokens"])}).text == ""


def test_tokens_are_not_sent_to_other_origins(serve, page):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Titled("x", Probe())

    page.goto(serve(app).url)
    expect(page.locator("input.probe")).to_have_value("0")
    headers = page.evaluate("""() => {
        const send = (path) => {
          const detail = { path, headers: {} };
          const event = new CustomEvent("htmx:configRequest", { bubbles: true, detail });
          document.body.dispatchEvent(event);
          return detail.headers;
        };
        return [send("/here"), send("https://elsewhere.example/x")];
    }""")
    assert headers[0]["FH-Anywidget-Pages"].split() == page.evaluate("fhAnywidget.tokens()")
    assert headers[1] == {}
