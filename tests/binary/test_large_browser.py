"""Large values beyond uvicorn's 16 MiB message limit, and the host's payload limit."""

from __future__ import annotations

import numpy as np
from fasthtml.common import Div, Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.binary.widgets import Probe
from tests.conftest import wait_until
from tests.widgets.counter import Counter

MiB = 1024 * 1024

# Each 32-bit word holds its own index, so a lost, repeated or reordered frame shows up.
CHECK_WORDS = """(dv, n) => {
  if (!(dv instanceof DataView) || dv.byteLength !== n * 4) return `got ${dv?.byteLength} bytes`;
  const words = new Uint32Array(dv.buffer, dv.byteOffset, n);
  for (let i = 0; i < n; i++) if (words[i] !== i) return `word ${i} is ${words[i]}`;
  return "ok";
}"""


def test_256_mib_each_way(serve, page):
    app, rt, _ = make_app()
    made: list[Probe] = []

    @rt("/")
    def index():
        made.append(Probe())
        return Titled("Large", made[-1])

    page.goto(serve(app).url)
    expect(page.locator(".probe")).to_have_text("probe ready")
    probe = made[0]
    words = 64 * MiB  # 256 MiB
    page.evaluate("""() => {
      globalThis.arrived = new Promise((ok) => probe.once("change:blob", () => ok()));
    }""")
    probe.blob = memoryview(np.arange(words, dtype="<u4")).cast("B")
    page.evaluate("() => arrived")
    assert page.evaluate(f"() => ({CHECK_WORDS})(probe.get('blob'), {words})") == "ok"
    probe.blob = None
    page.wait_for_function("() => probe.get('blob') === null")

    page.evaluate(f"""() => {{
      const words = new Uint32Array({words});
      for (let i = 0; i < words.length; i++) words[i] = i;
      probe.set("blob", words);
      probe.save_changes();
    }}""")
    wait_until(lambda: probe.blob is not None, timeout=60, what="256 MiB from the browser")
    got = np.frombuffer(probe.blob, dtype="<u4")
    assert got.size == words and bool((got == np.arange(words, dtype="<u4")).all())
    assert not page.console_errors


def test_payload_over_the_limit_is_refused_and_everything_keeps_working(serve, page):
    app, rt, _ = make_app(max_payload=1 * MiB)
    made: list = []

    @rt("/")
    def index():
        made.extend([Probe(), Counter(value=1)])
        return Titled("Limit", Div(*made))

    page.goto(serve(app).url)
    expect(page.locator(".probe")).to_have_text("probe ready")
    probe, counter = made
    refused = page.evaluate("""() => {
      globalThis.errors = [];
      document.addEventListener("fh-anywidget:error", (e) => errors.push(e.detail));
      probe.set("blob", new Uint8Array(2 * 1024 * 1024));
      probe.save_changes();
      try {
        probe.send({ big: true }, undefined, [new ArrayBuffer(1024 * 1024), new ArrayBuffer(10)]);
      } catch (error) {
        return [error.name, error.message];
      }
    }""")
    # The runtime knows the limit (the server's hello) and sends nothing over it: the write is
    # refused in place and snaps back, the custom message throws where it was sent.
    assert refused[0] == "MessageTooLarge" and "over the server's limit of 1048576" in refused[1]
    page.wait_for_function("() => errors.length === 1 && probe.get('blob') === null")
    (error,) = page.evaluate("() => errors")
    assert error["model"] == probe.model_id and "max_payload" in error["message"]
    page.console_errors.clear()  # the runtime logs the refusal to the console

    # The same socket still works, for the refused widget and for its neighbour.
    page.evaluate("""() => { probe.set("value", 3); probe.save_changes();
                             probe.send({ small: true }, undefined, [new ArrayBuffer(10)]); }""")
    wait_until(lambda: probe.value == 3 and probe.received, what="writes after the refusal")
    assert probe.blob is None and probe.received == [({"small": True}, probe.received[0][1])]
    page.locator("button.counter").click()
    wait_until(lambda: counter.value == 2, what="the other widget")

    # The limit guards the server against browsers; Python's own values are not limited by it.
    probe.blob = bytes(2 * MiB)
    page.wait_for_function("() => probe.get('blob')?.byteLength === 2 * 1024 * 1024")
    assert not page.console_errors
