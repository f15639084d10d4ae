"""Custom messages with buffers both ways, and CSS per widget class (issue 2, point 4)."""

import anywidget
import traitlets
from playwright.sync_api import expect

from tests.apps import serve_widgets
from tests.conftest import wait_until


class Echo(anywidget.AnyWidget):
    """Sends Python what it is told, with bytes; shows what Python sends back."""

    _esm = """
    export default {
      render({ model, el }) {
        el.innerHTML = '<button class="ping">ping</button><output class="got"></output>';
        el.querySelector(".ping").onclick = () => model.send(
          { kind: "ping", n: 3 }, undefined,
          [new Uint8Array([1, 2, 3]), new Float32Array([1.5]), new DataView(new ArrayBuffer(2))]);
        model.on("msg:custom", (content, buffers) => {
          const kinds = buffers.map((b) => b.constructor.name).join(",");
          const bytes = buffers.map((b) => Array.from(new Uint8Array(b.buffer)).join(".")).join("|");
          el.querySelector(".got").textContent = `${content.reply} ${kinds} ${bytes}`;
        });
      },
    };
    """
    _css = ".got { color: rgb(1, 2, 3); }"
    received = traitlets.List().tag(sync=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._on_msg)

    def _on_msg(self, _widget, content, buffers):
        self.received.append((content, [bytes(b) for b in buffers]))
        self.send({"reply": "pong"}, buffers=[b"\x09\x08", memoryview(b"\x07")])


def test_custom_messages_carry_buffers_both_ways(serve, page):
    widget = Echo()
    page.goto(serve_widgets(serve, widget))
    page.click(".ping")
    wait_until(lambda: widget.received, what="the message in Python")
    content, buffers = widget.received[0]
    assert content == {"kind": "ping", "n": 3}
    assert buffers == [b"\x01\x02\x03", b"\x00\x00\xc0\x3f", b"\x00\x00"]
    expect(page.locator(".got")).to_have_text("pong DataView,DataView 9.8|7")


def test_css_is_installed_once_per_class_and_replaced_in_place(serve, page):
    widgets = [Echo(), Echo()]
    page.goto(serve_widgets(serve, *widgets))
    links = page.locator("link[data-anywidget-class='tests.core.test_messages.Echo']")
    expect(links).to_have_count(1)
    expect(page.locator(".got").first).to_have_css("color", "rgb(1, 2, 3)")
    page.evaluate("() => { window.marker = 1; }")
    widgets[0]._css = ".got { color: rgb(4, 5, 6); }"
    expect(page.locator(".got").first).to_have_css("color", "rgb(4, 5, 6)")
    expect(links).to_have_count(1)
    page.click(".ping >> nth=0")  # the module was not reloaded: the live view still works
    expect(page.locator(".got").first).to_contain_text("pong")
    assert page.evaluate("() => window.marker") == 1
