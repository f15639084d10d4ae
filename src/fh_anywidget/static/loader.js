// Loading widget code: ES modules by URL (content-hashed, so the browser caches them), the
// module shapes seen in the wild, and per-class CSS replaced in place.

/**
 * Import a widget module and return its definition ({ initialize?, render? }).
 * Like anywidget 0.11: a named `render` export wins (with a deprecation warning); otherwise the
 * default export is the definition, or a factory (sync or async) that makes one per instance.
 */
export async function loadDefinition(url, widgetName) {
  const mod = await import(url);
  if (typeof mod.render === "function") {
    console.warn(
      `[fh-anywidget] ${widgetName}: exporting 'render' directly is deprecated; ` +
        "export default { render } instead.",
    );
    return { render: mod.render };
  }
  if (mod.default == null) {
    throw new Error("the widget module must export a default object or function");
  }
  const definition = typeof mod.default === "function" ? await mod.default() : mod.default;
  if (definition == null || typeof definition !== "object") {
    throw new Error("the widget module's default factory must return an object");
  }
  return definition;
}

/** Install (or replace in place) the stylesheet of a widget class; resolves once it applied. */
export function applyCss(className, href) {
  const selector = `link[data-anywidget-class="${CSS.escape(className)}"]`;
  const previous = document.head.querySelector(selector);
  if (!href) {
    previous?.remove();
    return Promise.resolve();
  }
  if (previous?.getAttribute("href") === href) return previous.loaded ?? Promise.resolve();
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href });
  link.dataset.anywidgetClass = className;
  link.loaded = new Promise((resolve) => {
    link.addEventListener("load", () => resolve(), { once: true });
    link.addEventListener("error", () => {
      console.error(`[fh-anywidget] stylesheet of ${className} failed to load: ${href}`);
      resolve();
    }, { once: true });
  });
  if (previous) previous.after(link);
  else document.head.append(link);
  link.loaded.then(() => previous?.remove());
  return link.loaded;
}
