// Loading widget code: ES modules by URL (content-hashed, so the browser caches them), the
// module shapes seen in the wild, and per-class CSS replaced in place and kept inside views.

import { scopeSheet } from "./scope.js";

/**
 * Import a widget module and return its definition ({ initialize?, render? }).
 * Like anywidget 0.11: a named `render` export wins (with a deprecation warning); otherwise the
 * default export is the definition, or a factory (sync or async) that makes one per instance.
 */
export async function loadDefinition(url, widgetName) {
  let mod;
  try {
    mod = await import(url);
  } catch (error) {
    throw await explainImportFailure(url, error);
  }
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

// Static and dynamic imports of absolute http(s) URLs inside a module's source.
const REMOTE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'`](https?:\/\/[^"'`\s]+)["'`]/g;

/**
 * A browser says only "Failed to fetch dynamically imported module: <our URL>" when any module
 * in the graph fails. If the widget's own (same-origin, cached) source imports from other hosts,
 * name them: that is nearly always why — offline, firewalled, or refused by a CSP.
 */
async function explainImportFailure(url, error) {
  let remote = [];
  let source = null;
  try {
    if (new URL(url, location.href).origin === location.origin) {
      source = await (await fetch(url)).text();
      remote = [...new Set(Array.from(source.matchAll(REMOTE_IMPORT), (m) => m[1]))];
    }
  } catch {
    // no better explanation than the browser's own
  }
  if (error instanceof SyntaxError && source !== null) {
    const where = await locateSyntaxError(source);
    if (where) {
      return Object.assign(new SyntaxError(`${error.message} (line ${where.line}, column ${where.column})`,
        { cause: error }), { line: where.line, column: where.column });
    }
  }
  if (remote.length === 0) return error;
  const shown = remote.slice(0, 3).join(", ") + (remote.length > 3 ? ", …" : "");
  return new Error(
    `${error?.message ?? error} — the widget's module imports code from outside this server ` +
      `(${shown}), which this page could not load (offline, blocked by a firewall or CSP?)`,
    { cause: error },
  );
}

// A line no module can parse: appended to a source under test, it proves the source itself
// parsed when the first error the engine reports is on it.
const PARSE_STOP = "\n%fh-anywidget-parse-check%";

/**
 * Where a module's syntax error is. `import()` rejects with a bare message; a module script's
 * parse error reaches `window`'s error event with its line and column. The source is parsed
 * with a line after it that always fails, so nothing ever runs: the error is either the
 * source's own (returned) or on that line (the source is fine; the error is in an import).
 */
export function locateSyntaxError(source) {
  const lines = source.split("\n").length;
  const url = URL.createObjectURL(new Blob([source + PARSE_STOP], { type: "text/javascript" }));
  const script = Object.assign(document.createElement("script"), { type: "module", src: url });
  return new Promise((resolve) => {
    const done = (where) => {
      window.removeEventListener("error", onError, true);
      script.remove();
      URL.revokeObjectURL(url);
      resolve(where);
    };
    const onError = (event) => {
      if (event.filename !== url) return;
      event.preventDefault(); // expected: not a page error
      event.stopImmediatePropagation();
      done(event.lineno > lines ? null : { line: event.lineno, column: event.colno });
    };
    window.addEventListener("error", onError, true);
    script.addEventListener("error", () => done(null), { once: true }); // could not be fetched
    script.addEventListener("load", () => done(null), { once: true }); // after any error event
    document.head.append(script);
  });
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
  // Loaded switched off (media "not all"), so the page never shows the sheet unscoped.
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href, media: "not all" });
  link.dataset.anywidgetClass = className;
  link.loaded = new Promise((resolve) => {
    link.addEventListener("load", () => {
      if (scopeSheet(link.sheet)) link.dataset.scoped = "";
      link.removeAttribute("media");
      resolve();
    }, { once: true });
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
