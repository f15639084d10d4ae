"""Widgets the security tests attack and drive."""

from __future__ import annotations

import threading

import anywidget
import traitlets


class Guarded(anywidget.AnyWidget):
    """Every kind of trait a hostile browser might go for, and handlers that can fail."""

    _esm = "export default { render({ model, el }) { el.textContent = model.get('value'); } };"
    value = traitlets.Int(1).tag(sync=True)
    a = traitlets.Int(0).tag(sync=True)
    b = traitlets.Int(0).tag(sync=True)
    locked = traitlets.Int(7, read_only=True).tag(sync=True)
    items = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    child = traitlets.Instance(anywidget.AnyWidget, allow_none=True).tag(
        sync=True, **__import__("ipywidgets").widget_serialization)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.messages: list = []
        self.on_msg(self._on_custom)

    def _on_custom(self, _widget, content, buffers):
        if content == "boom":
            raise RuntimeError("handler exploded")
        self.messages.append(content)

    @traitlets.validate("value")
    def _valid(self, proposal):
        if proposal["value"] < 0:
            raise traitlets.TraitError("value must not be negative")
        return proposal["value"]

    @traitlets.observe("value")
    def _observe(self, change):
        if change["new"] == 13:
            raise RuntimeError("observer exploded on 13")


class Gated(anywidget.AnyWidget):
    """A model whose observer blocks until the test opens the gate."""

    _esm = """
    export default { render({ model, el }) {
      const b = document.createElement("button"); b.className = "gated";
      const paint = () => { b.textContent = `gated ${model.get("value")}`; };
      paint(); model.on("change:value", paint);
      b.onclick = () => { model.set("value", model.get("value") + 1); model.save_changes(); };
      el.append(b);
    } };
    """
    value = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.seen: list[int] = []

    @traitlets.observe("value")
    def _observe(self, change):
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        self.seen.append(change["new"])


class Tally(anywidget.AnyWidget):
    """Counts clicks twice: as a synced trait the browser writes, and as custom messages Python
    counts. A lost message shows as a low count, a duplicated one as a high count."""

    _esm = """
    export default { render({ model, el }) {
      const b = document.createElement("button"); b.className = "tally";
      const paint = () => { b.textContent = `${model.get("clicks")}/${model.get("total")}`; };
      paint(); model.on("change", paint);
      b.onclick = () => {
        model.set("clicks", model.get("clicks") + 1); model.save_changes();
        model.send({ add: 1 });
      };
      el.append(b);
    } };
    """
    clicks = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(lambda _w, content, _b: setattr(self, "total", self.total + content["add"]))
