"""No second socket: our pushes ride the page's widget socket, and a page that also uses htmx's
ws extension (its own socket, its own oob swaps) keeps working next to it."""

from fasthtml.common import Div, Form, Input, Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter


def test_widget_pushes_and_the_htmx_ws_extension_work_side_by_side(serve, page):
    app, rt, host = make_app(htmx_ws=True)
    made = []

    @app.ws("/chat")
    async def chat(msg: str, send):
        await send(Div(f"echo {msg}", id="chat-out"))

    @rt("/")
    def index():
        made.append(Counter(value=0))
        made[-1].observe(lambda c: host.push(made[-1], Div(f"pushed {c.new}", id="pushed")),
                         names="value")
        return Titled(
            "ws", made[-1], Div("none", id="pushed"),
            Div(Form(Input(name="msg", id="msg"), ws_send=True, id="chat-form"),
                Div("silent", id="chat-out"), hx_ext="ws", ws_connect="/chat"),
        )

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(serve(app).url)
    expect(page.locator("button.counter")).to_have_text("count is 0")
    page.wait_for_function("document.querySelector('[ws-connect]')['htmx-internal-data']"
                           "?.webSocket?.socket?.readyState === 1")
    page.fill("#msg", "hello")
    page.press("#msg", "Enter")
    expect(page.locator("#chat-out")).to_have_text("echo hello")
    page.locator("button.counter").click()
    expect(page.locator("#pushed")).to_have_text("pushed 1")
    wait_until(lambda: made[0].value == 1, what="the click to reach Python")
    page.fill("#msg", "again")
    page.press("#msg", "Enter")
    expect(page.locator("#chat-out")).to_have_text("echo again")
    assert sorted(url.split("?")[0].rsplit("/", 1)[1] for url in sockets) == ["chat", "ws"]
    assert not page.console_errors
