"""State in the page: a view renders from the initial state its HTML carries, before the socket
is open, and the socket then brings it up to date — newer values, models closed meanwhile,
pages that expired — so rendering early never shows a wrong state for long or for good."""

from __future__ import annotations

import time

import anywidget
import traitlets
from fasthtml.common import Div
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.widgets.counter import Counter

# Holds every WebSocket the page opens until the test calls releaseSockets(): what a page sees
# while its socket is still connecting, for as long as the test needs.
HOLD_SOCKETS = """
const Native = WebSocket;
const held = [];
globalThis.releaseSockets = () => { for (const open of held.splice(0)) open(); };
globalThis.WebSocket = class {
  static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3;
  constructor(url) {
    this.readyState = 0;
    held.push(() => {
      const ws = new Native(url);
      ws.binaryType = this.binaryType;
      ws.onopen = (e) => { this.readyState = 1; this.onopen?.(e); };
      ws.onmessage = (e) => this.onmessage?.(e);
      ws.onclose = (e) => { this.readyState = 3; this.onclose?.(e); };
      this.send = (data) => ws.send(data);
      this.close = (...args) => ws.close(...args);
    });
  }
  send() { throw new Error("not open yet"); }
  close() {}
};
"""


class Blob(anywidget.AnyWidget):
    """Binary state travels as buffers, which the page's HTML does not carry."""

    _esm = """
    export default {
      render({ model, el }) {
        el.innerHTML = `<span class="blob">${model.get("data").byteLength} bytes</span>`;
      },
    };
    """
    data = traitlets.Bytes(b"").tag(sync=True)


class Label(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ model, el }) {
        const span = Object.assign(document.createElement("span"), { className: "label" });
        span.textContent = model.get("text");
        el.append(span);
      },
    };
    """
    text = traitlets.Unicode("").tag(sync=True)


def held_page(serve, page, *widgets, **host_options):
    app, rt, host = make_app(**host_options)

    @rt("/")
    def index():
        return Div(*widgets)

    page.add_init_script(HOLD_SOCKETS)
    page.goto(serve(app).url)
    return host


def test_a_view_renders_from_the_page_before_its_socket_opens_then_is_live(serve, page):
    counter = Counter(value=7)
    held_page(serve, page, counter)
    expect(page.locator("button.counter")).to_have_text("count is 7")
    assert page.evaluate("() => fhAnywidget.runtimes.values().next().value.connection.ws.readyState") == 0

    page.locator("button.counter").click()  # a write made before the socket opens is kept
    expect(page.locator("button.counter")).to_have_text("count is 8")
    page.evaluate("() => releaseSockets()")
    wait_until(lambda: counter.value == 8, what="the early write to reach Python")
    counter.value = 20
    expect(page.locator("button.counter")).to_have_text("count is 20")
    assert not page.console_errors


def test_a_change_between_render_and_socket_reaches_the_view(serve, page):
    counter = Counter(value=1)  # shared: Python may change it while the page is loading
    held_page(serve, page, counter)
    expect(page.locator("button.counter")).to_have_text("count is 1")
    counter.value = 2
    page.evaluate("() => releaseSockets()")
    expect(page.locator("button.counter")).to_have_text("count is 2")


def test_a_model_closed_before_the_socket_came_leaves_the_page(serve, page):
    counter = Counter(value=5)
    held_page(serve, page, counter)
    expect(page.locator("button.counter")).to_have_text("count is 5")
    counter.close()
    page.evaluate("() => releaseSockets()")
    expect(page.locator("button.counter")).to_have_count(0)


def test_a_page_that_expired_before_its_socket_came_is_shown_as_expired(serve, page):
    app, rt, host = make_app(grace=0.5)

    @rt("/")
    def index():
        return Div(Counter(value=3))

    page.add_init_script(HOLD_SOCKETS)
    page.goto(serve(app).url)
    expect(page.locator("button.counter")).to_have_text("count is 3")
    host.pages.sweep(time.monotonic() + 10)  # the page was never attached: retired
    page.evaluate("() => releaseSockets()")
    expect(page.locator("fh-anywidget.fh-anywidget-expired")).to_have_count(1)


def test_binary_state_waits_for_the_socket(serve, page):
    held_page(serve, page, Blob(data=bytes(5)), Counter(value=1))
    expect(page.locator("button.counter")).to_have_text("count is 1")
    expect(page.locator(".blob")).to_have_count(0)
    page.evaluate("() => releaseSockets()")
    expect(page.locator(".blob")).to_have_text("5 bytes")


def test_state_in_the_page_cannot_close_its_script_element(serve, page):
    text = '</script><script>globalThis.injected = true</script><!--'
    held_page(serve, page, Label(text=text))
    expect(page.locator(".label")).to_have_text(text)
    assert page.evaluate("() => globalThis.injected") is None
