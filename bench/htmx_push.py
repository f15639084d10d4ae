"""How fast widget → page coordination is (docs/htmx.md, "Costs").

Round trips timed by the page itself: a widget change (set + save_changes) → its Python observer
→ the page updated, three ways:
  echo     the observer sets another trait (baseline: the widget protocol alone)
  push     the observer pushes a fragment over the socket (small, a 100-row table built as FT
           each time, and the same table as a ready HTML string);
           "plain" = the same on a page without htmx (the runtime swaps by itself)
  trigger  the observer fires an event; hx-trigger fetches the fragment with an htmx GET
Run: .venv/bin/python -m bench.htmx_push   (prints medians and p95 in ms)
"""

from __future__ import annotations

import statistics

import anywidget
import traitlets
from fastcore.xml import to_xml
from fasthtml.common import Div, Table, Td, Titled, Tr
from playwright.sync_api import sync_playwright

from tests.apps import make_app
from tests.conftest import CHROMIUM, LAUNCH_ARGS, LiveServer

ROUNDS = 200


class Knob(anywidget.AnyWidget):
    _esm = "export default { render() {} };"
    value = traitlets.Int(0).tag(sync=True)
    echo = traitlets.Int(0).tag(sync=True)


TABLE_HTML = str(to_xml(Table(*[Tr(Td(f"row {i}"), Td("{n}")) for i in range(100)],
                              Tr(Td("{n}", cls="n")), id="out"), indent=False))


def fragment(kind: str, n: int):
    if kind == "html":  # the same table, already HTML: what the transport + swap cost alone
        return TABLE_HTML.replace("{n}", str(n))
    if kind == "table":
        return Table(*[Tr(Td(f"row {i}"), Td(str(n * i))) for i in range(100)],
                     Tr(Td(str(n), cls="n")), id="out")
    return Div(Div(str(n), cls="n"), id="out")


def build(mode: str, kind: str):
    app, rt, host = make_app(htmx=mode != "plain")
    knobs = []

    @rt("/")
    def index():
        knob = Knob()
        knobs.append(knob)

        def on_value(change):
            if mode == "echo":
                knob.echo = change.new
            elif mode in ("push", "plain"):
                host.push(knob, fragment(kind, change.new))
            else:
                host.trigger(knob, "knob-changed")

        knob.observe(on_value, names="value")
        # trigger: the listening element stays; the fragment goes inside it
        return Titled("bench", knob, Div(Div(Div("-1", cls="n"), id="out"), hx_get="/frag",
                                         hx_trigger="knob-changed from:body"))

    @rt("/frag")
    def frag():
        return fragment(kind, knobs[-1].value)

    return app


TIMER = """async ([mode, rounds]) => {
  const r = [...fhAnywidget.runtimes.values()][0];
  const wait = (check) => new Promise((resolve) => {
    const poll = () => (check() ? resolve() : requestAnimationFrame(poll));
    poll();
  });
  await wait(() => r.registry.entries.size >= 2);
  const model = [...r.registry.entries.values()].find((e) => e.widget).model;
  const times = [];
  for (let i = 1; i <= rounds; i++) {
    const t0 = performance.now();
    const done = mode === "echo"
      ? new Promise((resolve) => model.once("change:echo", resolve))
      : new Promise((resolve) => {
          const seen = () => document.querySelector("#out .n")?.textContent === String(i);
          const observer = new MutationObserver(() => seen() && (observer.disconnect(), resolve()));
          observer.observe(document.body, { childList: true, subtree: true, characterData: true });
        });
    model.set("value", i);
    model.save_changes();
    await done;
    times.push(performance.now() - t0);
  }
  return times;
}"""


def main() -> None:
    cases = [("echo", "small"), ("push", "small"), ("push", "table"), ("push", "html"),
             ("plain", "small"), ("plain", "table"), ("trigger", "small"), ("trigger", "table")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for mode, kind in cases:
            server = LiveServer(build(mode, kind))
            page = browser.new_page()
            page.goto(server.url)
            times = sorted(page.evaluate(TIMER, [mode, ROUNDS])[10:])  # drop warm-up
            p95 = times[int(len(times) * 0.95)]
            print(f"{mode:8} {kind:6} median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms")
            page.close()
            server.stop()
        browser.close()


if __name__ == "__main__":
    main()
