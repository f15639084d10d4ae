"""Small purpose-built widgets for the AFM conformance suite.

Every widget records what the host made it do in ``globalThis.afm`` (a list of strings such as
``"render:a"``) so a test can assert order and counts from the page.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import ClassVar

import anywidget
import ipywidgets
import msgspec
import psygnal
import pydantic
import traitlets
from anywidget.experimental import MimeBundleDescriptor, command

LOG = "const log = (...parts) => (globalThis.afm ??= []).push(parts.join(':'));\n"


class Probe(anywidget.AnyWidget):
    """Lifecycle probe: async initialize, render props, signals, returned cleanups."""

    _esm = LOG + """
    export const where = import.meta.url;  // proves it runs as an ES module loaded by URL
    export default {
      async initialize({ model, signal, ...rest }) {
        const id = model.get("label");
        log("init-start", id, "host" in rest ? "has-host" : "no-host");
        await new Promise((resolve) => setTimeout(resolve, 30));
        log("init-end", id);
        signal.addEventListener("abort", () => log("init-abort", id));
        return () => log("init-cleanup", id, signal.aborted);
      },
      render({ model, el, signal, host }) {
        const id = model.get("label");
        log("render", id, el instanceof HTMLElement, signal instanceof AbortSignal,
            typeof host?.getWidget, typeof host?.getModel);
        const span = Object.assign(document.createElement("span"), { className: "probe" });
        span.dataset.url = where;
        const paint = () => { span.textContent = `${id}=${model.get("value")}`; };
        paint();
        model.on("change:value", paint);
        el.append(span);
        signal.addEventListener("abort", () => log("view-abort", id));
        return () => log("view-cleanup", id, signal.aborted);
      },
    };
    """
    label = traitlets.Unicode("p").tag(sync=True)
    value = traitlets.Int(0).tag(sync=True)


class ModelApi(anywidget.AnyWidget):
    """Exercises the AnyModel interface: get/set/save_changes/on/off/send/msg:custom."""

    _esm = LOG + """
    export default {
      render({ model, el }) {
        const out = Object.assign(document.createElement("output"), { className: "api" });
        el.append(out);
        const onChange = () => log("change", model.get("value"));
        model.on("change:value", onChange);
        model.on("msg:custom", (msg, buffers) => {
          log("custom", msg.text, buffers.length, buffers[0] ? new Uint8Array(buffers[0].buffer,
              buffers[0].byteOffset, buffers[0].byteLength).join(",") : "");
          if (msg.text === "off") model.off("change:value", onChange);
        });
        const button = Object.assign(document.createElement("button"), { className: "api" });
        button.textContent = "go";
        button.onclick = () => {
          model.set("value", model.get("value") + 1);
          model.save_changes();
          model.send({ text: "hello" }, undefined, [new Uint8Array([1, 2, 3])]);
        };
        el.append(button);
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.received: list = []
        self.on_msg(lambda _w, content, buffers: self.received.append(
            (content, [bytes(b) for b in buffers])))


class Child(anywidget.AnyWidget):
    """A composable child. ``returns`` picks what initialize returns: exports, nothing, cleanup."""

    _esm = LOG + """
    export default {
      initialize({ model }) {
        const kind = model.get("returns");
        log("child-init", model.get("label"));
        if (kind === "exports") {
          return { getValue: () => model.get("value"), label: model.get("label") };
        }
        if (kind === "cleanup") return () => log("child-init-cleanup", model.get("label"));
      },
      render({ model, el, signal }) {
        const id = model.get("label");
        const button = Object.assign(document.createElement("button"), { className: "child" });
        button.dataset.label = id;
        const paint = () => { button.textContent = `${id}=${model.get("value")}`; };
        paint();
        model.on("change:value", paint);
        button.onclick = () => {
          model.set("value", model.get("value") + 1);
          model.save_changes();
        };
        el.append(button);
        log("child-render", id);
        signal.addEventListener("abort", () => log("child-abort", id));
      },
    };
    """
    label = traitlets.Unicode("c").tag(sync=True)
    value = traitlets.Int(0).tag(sync=True)
    returns = traitlets.Unicode("exports").tag(sync=True)


class Parent(anywidget.AnyWidget):
    """Renders every reference found in ``slot`` (a WidgetTrait), ``refs`` (any JSON: refs in
    lists and dicts, or junk) and ``ipy`` (ipywidgets serialization) through ``host``, and
    re-resolves on ``change:slot`` / ``change:refs`` as the spec's slot-reassignment pattern."""

    _esm = LOG + """
    const refsIn = (v) => typeof v === "string" ? [v]
      : Array.isArray(v) ? v.flatMap(refsIn)
      : v && typeof v === "object" ? Object.values(v).flatMap(refsIn) : [];
    export default {
      async render({ model, el, signal, host }) {
        const id = model.get("label");
        let current = new AbortController();
        signal.addEventListener("abort", () => current.abort());
        const mount = async () => {
          current.abort();
          current = new AbortController();
          const combined = AbortSignal.any([signal, current.signal]);
          const box = Object.assign(document.createElement("div"), { className: "children" });
          box.dataset.parent = id;
          el.replaceChildren(box);
          const refs = refsIn([model.get("slot"), model.get("refs"), model.get("ipy")]);
          for (const ref of refs) {
            const slot = Object.assign(document.createElement("div"), { className: "slot" });
            box.append(slot);
            try {
              const child = await host.getWidget(ref);
              const childModel = await host.getModel(ref);
              slot.dataset.exports = child.exports === undefined ? "undefined"
                : Object.keys(child.exports).sort().join(",");
              slot.dataset.value = String(childModel.get("value"));
              if (typeof child.exports?.getValue === "function") {
                slot.dataset.exported = String(child.exports.getValue());
              }
              // pass_signal false: the host must default the child's view to the parent's signal
              await child.render(model.get("pass_signal") ? { el: slot, signal: combined }
                : { el: slot });
            } catch (error) {
              const problems = [error.message];
              try { await host.getModel(ref); } catch (e) { problems.push(e.message); }
              slot.className = "ref-error";
              slot.textContent = problems.join(" | ");
            }
          }
          log("parent-mounted", id, refs.length);
        };
        await mount();
        model.on("change:slot", mount);
        model.on("change:refs", mount);
      },
    };
    """
    label = traitlets.Unicode("parent").tag(sync=True)
    pass_signal = traitlets.Bool(True).tag(sync=True)
    slot = anywidget.WidgetTrait().tag(sync=True)
    refs = traitlets.Any(None).tag(sync=True)
    ipy = traitlets.Instance(ipywidgets.Widget, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization)


class Stall(anywidget.AnyWidget):
    """An initialize that never finishes."""

    _esm = LOG + """
    export default {
      initialize() { log("stall-init"); return new Promise(() => {}); },
      render({ el }) { el.textContent = "stall rendered"; },
    };
    """
    value = traitlets.Int(0).tag(sync=True)


class Gated(anywidget.AnyWidget):
    """initialize waits until the page calls ``globalThis.openGate()``; records what arrives."""

    _esm = LOG + """
    export default {
      async initialize({ model }) {
        model.on("msg:custom", (msg) => log("msg", msg.n));
        model.on("change:value", () => log("change", model.get("value")));
        log("gated-init-start");
        await new Promise((resolve) => { globalThis.openGate = resolve; });
        log("gated-init-end");
      },
      render({ model, el }) {
        log("gated-render", model.get("value"));
        el.textContent = `gated ${model.get("value")}`;
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)


class Marker(anywidget.AnyWidget):
    """Logs every custom message: a probe for "the page has received everything sent so far"."""

    _esm = LOG + """
    export default {
      initialize({ model }) { model.on("msg:custom", (msg) => log("marker", msg.n)); },
      render({ el }) { el.textContent = "marker"; },
    };
    """


class FailInit(anywidget.AnyWidget):
    """initialize wires a cleanup, then throws (``how="throw"``) or rejects (``"reject"``)."""

    _esm = LOG + """
    export default {
      async initialize({ model, signal }) {
        log("fail-init");
        signal.addEventListener("abort", () => log("fail-init-abort", signal.aborted));
        if (model.get("how") === "throw") throw new Error("boom in initialize");
        await Promise.reject(new Error("boom in initialize"));
      },
      render({ el }) { log("fail-render"); el.textContent = "should never render"; },
    };
    """
    how = traitlets.Unicode("throw").tag(sync=True)


class FailFirstRender(anywidget.AnyWidget):
    """The first render of this class throws; later renders work."""

    _esm = LOG + """
    let renders = 0;
    export default {
      render({ model, el, signal }) {
        signal.addEventListener("abort", () => log("render-abort", signal.aborted));
        if (renders++ === 0) throw new Error("boom in render");
        const span = Object.assign(document.createElement("span"), { className: "survivor" });
        const paint = () => { span.textContent = `value ${model.get("value")}`; };
        paint();
        model.on("change:value", paint);
        el.append(span);
        log("render-ok");
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)


class BadCleanup(anywidget.AnyWidget):
    """Cleanups that throw, next to cleanups that must still run."""

    _esm = LOG + """
    export default {
      initialize({ signal }) {
        signal.addEventListener("abort", () => log("init-other-cleanup"));
        return () => { log("init-bad-cleanup"); throw new Error("boom in initialize cleanup"); };
      },
      render({ el, signal }) {
        el.textContent = "bad cleanup";
        signal.addEventListener("abort", () => log("view-other-cleanup"));
        return () => { log("view-bad-cleanup"); throw new Error("boom in render cleanup"); };
      },
    };
    """


class Commands(anywidget.AnyWidget):
    """``@command`` methods for ``experimental.invoke``."""

    _esm = LOG + """
    const show = (el, text) => { el.querySelector("output").textContent = text; };
    export default {
      render({ el, experimental }) {
        el.innerHTML = "<button class=echo>echo</button><button class=hang>hang</button>" +
          "<output></output>";
        el.querySelector(".echo").onclick = async () => {
          const [reply, buffers] = await experimental.invoke("echo", { x: 41 },
            { buffers: [new Uint8Array([1, 2, 3])] });
          const bytes = buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
          show(el, `${JSON.stringify(reply)} ${bytes.map((b) => b.join(",")).join(";")}`);
        };
        el.querySelector(".hang").onclick = async () => {
          try {
            await experimental.invoke("hang", {}, { signal: AbortSignal.timeout(200) });
            show(el, "answered");
          } catch (error) {
            show(el, `rejected: ${error.name}`);
          }
        };
      },
    };
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.release = threading.Event()

    @command
    def echo(self, msg: dict, buffers: list) -> tuple[dict, list[bytes]]:
        reply = {"x": msg["x"] + 1, "got": len(buffers)}
        return reply, [bytes(reversed(bytes(b))) for b in buffers]

    @command
    def hang(self, msg: dict, buffers: list) -> tuple[dict, list[bytes]]:
        self.release.wait(10)  # never answers in time; the test releases it when done
        return {}, []


# ------------------------------------------------------------ descriptor-protocol objects

COUNTER_ESM = """
export default {
  render({ model, el }) {
    const button = Object.assign(document.createElement("button"), { className: "dcounter" });
    const paint = () => { button.textContent = `value ${model.get("value")}`; };
    paint();
    model.on("change:value", paint);
    button.onclick = () => { model.set("value", model.get("value") + 1); model.save_changes(); };
    el.append(button);
  },
};
"""


@anywidget.experimental.dataclass(esm=COUNTER_ESM)
class DataCounter:
    value: int = 0


@anywidget.experimental.widget(esm=COUNTER_ESM)
@psygnal.evented
@dataclasses.dataclass
class WidgetDecorated:
    value: int = 0


@psygnal.evented
@dataclasses.dataclass
class DescriptorDataclass:
    value: int = 0
    _repr_mimebundle_: ClassVar = MimeBundleDescriptor(_esm=COUNTER_ESM)


class PydanticCounter(psygnal.EventedModel):
    value: int = 0
    _repr_mimebundle_: ClassVar = MimeBundleDescriptor(_esm=COUNTER_ESM)


@psygnal.evented
class MsgspecCounter(msgspec.Struct, weakref=True):
    value: int = 0
    _repr_mimebundle_: ClassVar = MimeBundleDescriptor(_esm=COUNTER_ESM)


class TraitletsCounter(traitlets.HasTraits):
    value = traitlets.Int(0).tag(sync=True)  # anywidget syncs the traits tagged sync
    _repr_mimebundle_ = MimeBundleDescriptor(_esm=COUNTER_ESM)


DESCRIPTOR_KINDS = {
    "experimental.dataclass": DataCounter,
    "experimental.widget": WidgetDecorated,
    "MimeBundleDescriptor-dataclass": DescriptorDataclass,
    "pydantic": PydanticCounter,
    "msgspec": MsgspecCounter,
    "traitlets": TraitletsCounter,
}

assert issubclass(PydanticCounter, pydantic.BaseModel)


# ------------------------------------------------------------ module shapes

class DefaultObject(anywidget.AnyWidget):
    _esm = "export default { render({ el }) { el.textContent = 'shape: default object'; } };"


class SyncFactory(anywidget.AnyWidget):
    _esm = LOG + """
    export default () => {
      log("factory");
      let shared = "unset";
      return {
        initialize() { shared = "from initialize"; },
        render({ el }) { el.textContent = `shape: sync factory, ${shared}`; },
      };
    };
    """


class AsyncFactory(anywidget.AnyWidget):
    _esm = LOG + """
    export default async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      log("async-factory");
      let shared = "unset";
      return {
        async initialize() { shared = "from initialize"; },
        async render({ el }) { el.textContent = `shape: async factory, ${shared}`; },
      };
    };
    """


class NamedRender(anywidget.AnyWidget):
    _esm = """
    export function render({ el }) { el.textContent = "shape: named render"; }
    export default { render({ el }) { el.textContent = "shape: default render"; } };
    """


class RenderReturns(anywidget.AnyWidget):
    """render returns nothing, a cleanup, or an object, as ``returns`` says."""

    _esm = LOG + """
    export default {
      render({ model, el }) {
        const kind = model.get("returns");
        el.textContent = `returns ${kind}`;
        if (kind === "cleanup") return () => log("render-cleanup", kind);
        if (kind === "object") return { some: "object" };
      },
    };
    """
    returns = traitlets.Unicode("nothing").tag(sync=True)


class Listeners(anywidget.AnyWidget):
    """Each view can drop its listeners; what initialize and the other views registered stays."""

    _esm = LOG + """
    export default {
      initialize({ model }) {
        model.on("change:value", () => log(`init:${model.get("value")}`));
      },
      render({ model, el }) {
        const id = document.querySelectorAll("span.listener").length;
        const span = document.createElement("span");
        span.className = "listener";
        model.on("change:value", () => { span.textContent = `view${id}:${model.get("value")}`; });
        const byName = document.createElement("button");
        byName.className = `off-name-${id}`;
        byName.onclick = () => model.off("change:value");
        const all = document.createElement("button");
        all.className = `off-all-${id}`;
        all.onclick = () => model.off();
        el.append(span, byName, all);
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)
