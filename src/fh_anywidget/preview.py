"""A page for widget authors: one widget, live, in dev mode (hot reload), next to a panel of its
synced traits — numbers, strings and booleans editable, the rest shown as JSON.

The panel is itself an anywidget. Its ``values`` trait mirrors the previewed widget's traits in
both directions, so edits go through the widget's own validation: a value the widget refuses
snaps back in the panel, as a browser write it refuses does in the widget.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anywidget
import traitlets
from fasthtml.common import H1, Div, Link, Main, Style, Title, fast_app

from .host import WidgetHost

#: DOMWidget plumbing every ipywidget has; not what an author wants to tune.
HIDDEN = {"layout", "tabbable", "tooltip", "comm", "keys", "log"}

PAGE_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.2rem; margin: 0 0 1rem; }
.preview { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
.preview > .widget { flex: 1 1 420px; min-width: 0; }
.preview > .traits { flex: 0 0 300px; border-left: 1px solid #ddd; padding-left: 1rem; }
"""


def kind_of(trait: traitlets.TraitType[Any, Any], value: Any) -> str:
    """How the panel shows a trait: an editor for simple types, JSON for the rest."""
    if isinstance(trait, traitlets.Bool) or isinstance(value, bool):
        return "bool"
    if isinstance(trait, traitlets.Int) or (isinstance(value, int) and not isinstance(value, bool)):
        return "int"
    if isinstance(trait, traitlets.Float) or isinstance(value, float):
        return "float"
    if isinstance(trait, traitlets.Unicode) or isinstance(value, str):
        return "str"
    return "json"


def shown_traits(widget: Any) -> dict[str, traitlets.TraitType[Any, Any]]:
    """The synced traits an author defined (not private, not ipywidgets' DOM plumbing)."""
    traits = widget.traits(sync=True) if isinstance(widget, traitlets.HasTraits) else {}
    return {name: t for name, t in sorted(traits.items())
            if not name.startswith("_") and name not in HIDDEN}


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        text = repr(value)
        return text if len(text) <= 200 else f"{text[:200]}…"


class TraitPanel(anywidget.AnyWidget):
    """The previewed widget's traits, editable where simple."""

    _esm = """
    export default {
      render({ model, el }) {
        const table = document.createElement("table");
        table.className = "trait-panel";
        el.append(table);
        const editors = new Map();
        const send = (name, value) => {
          model.set("values", { ...model.get("values"), [name]: value });
          model.save_changes();
        };
        const build = () => {
          table.replaceChildren();
          editors.clear();
          for (const [name, kind] of Object.entries(model.get("kinds"))) {
            const row = table.insertRow();
            row.insertCell().textContent = name;
            const cell = row.insertCell();
            let editor;
            if (kind === "json") {
              editor = document.createElement("code");
            } else {
              editor = document.createElement("input");
              editor.type = kind === "bool" ? "checkbox" : kind === "str" ? "text" : "number";
              if (kind === "float") editor.step = "any";
              editor.addEventListener("change", () => {
                if (kind === "bool") send(name, editor.checked);
                else if (kind === "str") send(name, editor.value);
                else if (editor.value !== "") send(name, Number(editor.value));
              });
            }
            editor.dataset.trait = name;
            editor.className = "trait";
            cell.append(editor);
            editors.set(name, [kind, editor]);
          }
          paint();
        };
        const paint = () => {
          const values = model.get("values");
          for (const [name, [kind, editor]] of editors) {
            const value = values[name];
            if (kind === "json") editor.textContent = JSON.stringify(value);
            else if (kind === "bool") editor.checked = Boolean(value);
            else if (document.activeElement !== editor) editor.value = value ?? "";
          }
        };
        model.on("change:kinds", build);
        model.on("change:values", paint);
        build();
      },
    };
    """
    _css = """
    .trait-panel { border-collapse: collapse; font: 13px system-ui, sans-serif; }
    .trait-panel td { padding: .2rem .4rem; border-bottom: 1px solid #eee; vertical-align: top; }
    .trait-panel td:first-child { font-family: ui-monospace, monospace; }
    .trait-panel input[type=text], .trait-panel input[type=number] { width: 12em; }
    .trait-panel code { font-size: 12px; word-break: break-all; }
    """
    kinds = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)

    def __init__(self, target: Any) -> None:
        super().__init__()
        self._target = target
        self._shown = shown_traits(target)
        self.kinds = {name: kind_of(t, getattr(target, name)) for name, t in self._shown.items()}
        self._mirror()
        if self._shown:
            target.observe(lambda _change: self._mirror(), names=list(self._shown))
        self.observe(self._edited, names="values")

    def _mirror(self) -> None:
        self.values = {name: _jsonable(getattr(self._target, name)) for name in self._shown}

    def _edited(self, change: dict[str, Any]) -> None:
        """The panel changed a value: set it on the widget (which may refuse or adjust it)."""
        for name, value in change["new"].items():
            if self.kinds.get(name) == "json" or name not in self._shown:
                continue
            if value == getattr(self._target, name):
                continue
            # refused: the mirror below puts the widget's value back
            with contextlib.suppress(traitlets.TraitError):
                setattr(self._target, name, value)
        self._mirror()


def preview_app(widget: Any, name: str) -> Any:
    """A FastHTML app showing ``widget`` (shared: every tab sees the same state) in dev mode."""
    app, rt = fast_app(default_hdrs=False, hdrs=[Link(rel="icon", href="data:,"), Style(PAGE_CSS)])
    host = WidgetHost(app, dev=True)
    panel = TraitPanel(widget)
    app.state.preview = (widget, panel)

    def index() -> Any:
        return (Title(f"preview · {name}"),
                Main(H1(f"preview · {name}"),
                     Div(Div(host.view(widget), cls="widget"),
                         Div(host.view(panel), cls="traits"), cls="preview")))

    rt("/")(index)
    return app
