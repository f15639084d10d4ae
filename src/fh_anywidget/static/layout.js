// ipywidgets' Layout: every DOM widget references a LayoutModel ("IPY_MODEL_<id>" in its `layout`
// trait) whose traits are CSS properties (width, border_top, grid_template_areas, ...).
// JupyterLab styles the view's element with them; so do we, live, for as long as the view lives.

import { parseRef } from "./wire.js";

const cssName = (key) => key.replace(/_/g, "-");

/** Style `el` from the model's layout, following changes until `signal` aborts. */
export function applyLayout(registry, model, el, signal) {
  if (signal.aborted) return; // an abort listener added now would never run
  let applied = []; // properties this layout set, cleared when the layout is swapped
  let unfollow = null;
  const follow = () => {
    unfollow?.();
    for (const property of applied) el.style.removeProperty(property);
    applied = [];
    const layout = registry.entries.get(parseRef(model.get("layout")))?.model;
    if (!layout) return;
    const paint = () => {
      for (const [key, value] of Object.entries(layout.state)) {
        if (key.startsWith("_")) continue;
        const property = cssName(key);
        if (value === null || value === undefined || value === "") el.style.removeProperty(property);
        else el.style.setProperty(property, String(value));
        if (!applied.includes(property)) applied.push(property);
      }
    };
    paint();
    layout.on("change", paint);
    unfollow = () => layout.off("change", paint);
  };
  follow();
  model.on("change:layout", follow);
  signal.addEventListener("abort", () => {
    unfollow?.();
    model.off("change:layout", follow);
  }, { once: true });
}
