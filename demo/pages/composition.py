"""Composition and commands: a dashboard widget that renders child widgets through
``host.getWidget`` (reading their exports), a slot Python reassigns, and ``experimental.invoke``
calling a Python ``@command`` with binary buffers both ways."""

from __future__ import annotations

import statistics
import struct
import weakref

import anywidget
import traitlets
from anywidget.experimental import command
from fasthtml.common import H2, Button, P

from demo.layout import layout

TITLE = "Composition and commands"
PATH = "/composition"
ORDER = 20


class Slider(anywidget.AnyWidget):
    """A child widget: its initialize exports a tiny API other widgets can use."""

    _esm = """
    export default {
      initialize({ model }) {
        return {
          name: () => model.get("name"),
          getValue: () => model.get("value"),
          onChange: (callback, signal) => {
            const handler = () => callback(model.get("value"));
            model.on("change:value", handler);
            signal?.addEventListener("abort", () => model.off("change:value", handler));
          },
        };
      },
      render({ model, el }) {
        const label = document.createElement("label");
        const input = Object.assign(document.createElement("input"),
          { type: "range", min: 0, max: 100 });
        const out = document.createElement("output");
        const paint = () => {
          input.value = model.get("value");
          out.textContent = ` ${model.get("name")}: ${model.get("value")}`;
        };
        paint();
        model.on("change:value", paint);
        input.addEventListener("input", () => {
          model.set("value", Number(input.value));
          model.save_changes();
        });
        label.append(input, out);
        el.append(label);
      },
    };
    """
    name = traitlets.Unicode("slider").tag(sync=True)
    value = traitlets.Int(50).tag(sync=True)


def _refs(widgets: list, _owner: object) -> list[str]:
    return [f"anywidget:{w.model_id}" for w in widgets]


class Dashboard(anywidget.AnyWidget):
    """A parent widget: renders its children with host.getWidget and sums their exports."""

    _esm = """
    export default {
      async render({ model, el, signal, host }) {
        const total = Object.assign(document.createElement("p"), { className: "total" });
        const featured = document.createElement("fieldset");
        const rows = document.createElement("div");
        el.append(total, featured, rows);
        let children = [];
        const sum = () => {
          const live = children.filter(Boolean);
          const parts = live.map((c) => `${c.exports.name()} ${c.exports.getValue()}`);
          const value = live.reduce((n, c) => n + c.exports.getValue(), 0);
          total.textContent = `total ${value} (${parts.join(" + ")})`;
        };
        // The featured slot follows Python: each reassignment re-resolves the new child and
        // tears the previous child view down (the spec's slot-reassignment pattern).
        let current = new AbortController();
        signal.addEventListener("abort", () => current.abort());
        const mount = async () => {
          current.abort();
          current = new AbortController();
          const view = AbortSignal.any([signal, current.signal]);
          const ref = model.get("featured");
          const legend = document.createElement("legend");
          legend.textContent = "featured";
          const slot = document.createElement("div");
          featured.replaceChildren(legend, slot);
          const child = await host.getWidget(ref);
          child.exports.onChange(sum, view);
          await child.render({ el: slot, signal: view });
          children = [child, ...children.slice(1)];
          sum();
        };
        children = [null];
        for (const ref of model.get("sliders")) {
          const child = await host.getWidget(ref);
          const row = document.createElement("div");
          rows.append(row);
          await child.render({ el: row, signal });
          child.exports.onChange(sum, signal);
          children.push(child);
        }
        await mount();
        model.on("change:featured", mount);
      },
    };
    """
    _css = ".total { font: 600 16px system-ui; } fieldset { margin: .5em 0; }"
    featured = anywidget.WidgetTrait().tag(sync=True)
    sliders = traitlets.List().tag(sync=True, to_json=_refs)


class Stats(anywidget.AnyWidget):
    """experimental.invoke: numbers go to Python as a Float64 buffer; sorted ones come back."""

    _esm = """
    export default {
      render({ el, experimental }) {
        el.innerHTML = `<input class="numbers" value="3 1 4 1 5 9 2 6" size="30">
          <button>describe in Python</button><pre class="answer"></pre>`;
        el.querySelector("button").onclick = async () => {
          const numbers = el.querySelector(".numbers").value.split(/[\\s,]+/).filter(Boolean)
            .map(Number);
          const [reply, [sorted]] = await experimental.invoke("describe", { count: numbers.length },
            { buffers: [new Float64Array(numbers)], signal: AbortSignal.timeout(5000) });
          const back = new Float64Array(sorted.buffer.slice(sorted.byteOffset,
            sorted.byteOffset + sorted.byteLength));
          el.querySelector(".answer").textContent =
            `mean ${reply.mean}, stdev ${reply.stdev}\\nsorted by Python: ${[...back].join(" ")}`;
        };
      },
    };
    """

    @command
    def describe(self, msg: dict, buffers: list) -> tuple[dict, list[bytes]]:
        count = int(msg["count"])
        values = list(struct.unpack(f"<{count}d", bytes(buffers[0])))
        stdev = statistics.stdev(values) if len(values) > 1 else 0.0
        reply = {"mean": round(statistics.fmean(values), 3) if values else None,
                 "stdev": round(stdev, 3)}
        return reply, [struct.pack(f"<{count}d", *sorted(values))]


def register(rt, host):
    boards: weakref.WeakValueDictionary[str, Dashboard] = weakref.WeakValueDictionary()

    @rt(PATH)
    def composition_page():
        sliders = [Slider(name="a", value=10), Slider(name="b", value=20)]
        extras = [Slider(name="x", value=30), Slider(name="y", value=70)]
        board = Dashboard(featured=extras[0], sliders=sliders)
        board.extras = extras
        boards[board.model_id] = board
        return layout(
            TITLE,
            H2("A composed dashboard"),
            P("One parent widget renders three child widgets through host.getWidget and sums "
              "their exported values. Python can swap the featured child at any time."),
            board,
            Button("Swap the featured slider (from Python)",
                   hx_post=f"{PATH}/swap/{board.model_id}", hx_swap="none"),
            H2("experimental.invoke"),
            P("The browser calls a Python @command; numbers travel as raw Float64 bytes, "
              "both ways."),
            Stats(),
        )

    @rt(f"{PATH}/swap/{{model_id}}", methods=["post"])
    def swap(model_id: str):
        board = boards.get(model_id)
        if board is not None:
            a, b = board.extras
            board.featured = b if board.featured is a else a
        return ""
