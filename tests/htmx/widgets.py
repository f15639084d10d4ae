"""Widgets for the htmx tests: they count their initializes, renders and live views in the page."""

import anywidget
import traitlets


class Probe(anywidget.AnyWidget):
    """A number input; `globalThis.probe` counts initialize/render calls and views alive now."""

    _esm = """
    const counts = (globalThis.probe ??= { initialize: 0, render: 0, live: 0 });
    export default {
      initialize() { counts.initialize += 1; },
      render({ model, el }) {
        counts.render += 1;
        counts.live += 1;
        const input = document.createElement("input");
        input.className = "probe";
        input.type = "number";
        const paint = () => { input.value = String(model.get("value")); };
        paint();
        input.addEventListener("change", () => {
          model.set("value", Number(input.value));
          model.save_changes();
        });
        model.on("change:value", paint);
        el.append(input);
        return () => { counts.live -= 1; };
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)
