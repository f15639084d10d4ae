// The server-rendered page around the widgets (docs/htmx.md): HTML fragments and DOM events the
// server pushes over the widget socket, and the page tokens htmx requests carry back.

export const PAGES_HEADER = "FH-Anywidget-Pages";

const STYLES = new Set(["outerHTML", "innerHTML", "beforebegin", "afterbegin", "beforeend",
  "afterend", "delete", "none"]);

/** How an element swaps in: htmx's hx-swap-oob value ("true", a style, or "style:selector"). */
function oobSpec(el) {
  const value = el.getAttribute("hx-swap-oob") ?? el.getAttribute("data-hx-swap-oob") ?? "true";
  const colon = value.indexOf(":");
  if (value === "true") return { style: "outerHTML", selector: el.id ? `#${CSS.escape(el.id)}` : null };
  if (colon > 0) return { style: value.slice(0, colon), selector: value.slice(colon + 1) };
  return { style: value, selector: el.id ? `#${CSS.escape(el.id)}` : null };
}

/**
 * `html` message: every top-level element is swapped in out-of-band, as htmx's ws extension does.
 * With htmx, htmx.swap does it (so hx-* attributes inside work and htmx's events fire); without
 * htmx, a plain DOM replacement. Elements whose target is not on this page are skipped quietly:
 * a push about a shared widget reaches pages that may not have that part.
 */
export function swapFragments({ html }) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const wanted = [];
  for (const el of [...template.content.children]) {
    const { style, selector } = oobSpec(el);
    let found = null;
    try {
      found = selector && document.querySelector(selector);
    } catch (error) {
      console.error(`[fh-anywidget] pushed fragment has a bad target ${selector}`, error);
    }
    if (found) wanted.push([el, style, selector]);
  }
  if (!wanted.length) return;
  const htmx = globalThis.htmx;
  if (typeof htmx?.swap === "function") {
    const parts = wanted.map(([el, style, selector]) => {
      el.setAttribute("hx-swap-oob", style === "outerHTML" && selector === `#${CSS.escape(el.id)}`
        ? "true" : `${style}:${selector}`);
      return el.outerHTML;
    });
    htmx.swap(document.body, parts.join(""), { swapStyle: "none" });
    return;
  }
  for (const [el, style, selector] of wanted) {
    el.removeAttribute("hx-swap-oob");
    el.removeAttribute("data-hx-swap-oob");
    for (const target of document.querySelectorAll(selector)) plainSwap(target, el.cloneNode(true), style);
  }
}

function plainSwap(target, el, style) {
  if (!STYLES.has(style)) return console.error(`[fh-anywidget] unknown swap style ${style}`);
  if (style === "outerHTML") return target.replaceWith(el);
  if (style === "delete") return target.remove();
  // Every other style uses the element's content, not the element (htmx's oob rule).
  const content = document.createDocumentFragment();
  content.append(...el.childNodes);
  const place = { innerHTML: "replaceChildren", beforebegin: "before", afterbegin: "prepend",
    beforeend: "append", afterend: "after" }[style];
  if (place) target[place](content);
}

/** `event` message: a bubbling DOM event, for hx-trigger="name from:body" and plain listeners. */
export function fireEvent({ name, detail, target }) {
  const el = (target && document.querySelector(target)) || document.body;
  el.dispatchEvent(new CustomEvent(name, { bubbles: true, cancelable: true, detail: detail ?? null }));
}

/** Handlers for the page-level (not model) messages, by type. */
export const pageMessages = { html: swapFragments, event: fireEvent };

/**
 * Same-origin htmx requests carry the page tokens this document holds, so a handler can find
 * the page's widgets (host.widgets(request)). Never sent to another origin: tokens are
 * capabilities. `tokens()` lists them.
 */
export function addTokensToHtmxRequests(tokens) {
  document.addEventListener("htmx:configRequest", (event) => {
    const detail = event.detail;
    let url;
    try {
      url = new URL(detail.path, location.href);
    } catch {
      return;
    }
    const held = tokens();
    if (url.origin === location.origin && held.length) detail.headers[PAGES_HEADER] = held.join(" ");
  });
}
