// The `host` a render receives: resolving widget references for composition.

import { parseRef } from "./wire.js";

export const config = {
  /** How long host.getWidget waits for a child's initialize (anywidget uses 10 s). */
  getWidgetTimeout: 10_000,
};

function resolve(registry, ref) {
  const id = parseRef(ref);
  if (id === null) {
    throw new Error(`invalid widget reference ${JSON.stringify(ref)}: expected "anywidget:<model_id>"`);
  }
  const entry = registry.entries.get(id);
  if (!entry) throw new Error(`unknown model ${id}: no such model is open on this page`);
  return [id, entry];
}

/** @param {AbortSignal} signal  the parent view's signal: child views and listeners end with it */
export function makeHost(registry, signal) {
  return {
    async getModel(ref) {
      const [, entry] = resolve(registry, ref);
      return entry.model.scoped(signal);
    },
    async getWidget(ref) {
      const [id, entry] = resolve(registry, ref);
      const widget = entry.widget;
      if (!widget) {
        // a classic ipywidget: rendered by the official front end (loaded now if need be)
        await registry.classic();
        return {
          exports: {},
          render: ({ el, signal: childSignal } = {}) => registry.renderClassic(id, el, childSignal ?? signal),
        };
      }
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`widget ${id} (${widget.name}) did not finish initialize within ${config.getWidgetTimeout} ms`)),
          config.getWidgetTimeout,
        );
      });
      try {
        await Promise.race([widget.ready, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return {
        exports: widget.exports,
        render: ({ el, signal: childSignal } = {}) => widget.addView(el, childSignal ?? signal),
      };
    },
  };
}
