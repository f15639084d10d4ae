// <fh-anywidget model="…" page="…" socket="…">: a view that lives exactly as long as its element
// is in the document. Rendering starts when it is connected; disconnection aborts the view's
// signal (running its cleanups) — unless the element was only moved within the same task.

import { showError } from "./errors.js";

export function defineViewElement(runtimeFor) {
  class WidgetElement extends HTMLElement {
    #controller = null;
    #leaving = false;
    #held = null; // [runtime, page token] while this view holds its page

    // Defining this makes Element.moveBefore (htmx's hx-preserve uses it) a move, not a
    // disconnect + connect: the live view simply stays.
    connectedMoveCallback() {}

    connectedCallback() {
      if (this.#leaving) {
        this.#leaving = false; // moved, not removed: keep the live view
        return;
      }
      if (!this.#controller) this.#start();
    }

    disconnectedCallback() {
      this.#leaving = true;
      queueMicrotask(() => {
        if (!this.#leaving) return;
        this.#leaving = false;
        if (!this.isConnected) this.#stop();
      });
    }

    #start() {
      // A snapshot of a live view is stale the moment it is taken, and its page may be retired
      // by the time it is restored: htmx skips its history cache while this attribute is in the
      // document, so back/forward re-fetches the page and its widgets come back live.
      if (!this.hasAttribute("hx-history")) this.setAttribute("hx-history", "false");
      const controller = (this.#controller = new AbortController());
      const id = this.getAttribute("model");
      const problem = this.getAttribute("error");
      if (problem || !id) {
        showError(this, { widget: "fh-anywidget", phase: "render", error: new Error(problem ?? "no model id") });
        return;
      }
      const runtime = runtimeFor(this.getAttribute("socket"));
      const token = this.getAttribute("page");
      // The page's HTML may carry the models' initial state: render from it at once, while the
      // socket opens (docs/protocol.md, "State in the page").
      const inline = this.querySelector(":scope > script.fh-anywidget-state");
      if (inline) runtime.registry.preload(JSON.parse(inline.textContent), token);
      runtime.attach(token);
      this.#held = [runtime, token];
      const el = document.createElement("div");
      el.className = "fh-anywidget-view";
      this.replaceChildren(el);
      runtime.registry
        .whenOpen(id, token)
        .then((entry) => {
          if (controller.signal.aborted) return;
          if (!entry.widget) return runtime.registry.renderClassic(id, el, controller.signal);
          return entry.widget.addView(el, controller.signal);
        })
        .catch((error) => {
          if (controller.signal.aborted) return;
          const widget = runtime.registry.entries.get(id)?.widget?.name ?? `model ${id}`;
          showError(this, { widget, phase: error.phase ?? "render", error });
        });
    }

    #stop() {
      this.#controller?.abort(new Error("view removed"));
      this.#controller = null;
      this.replaceChildren();
      if (this.#held) {
        const [runtime, token] = this.#held;
        this.#held = null;
        runtime.release(token);
      }
    }
  }
  if (!customElements.get("fh-anywidget")) customElements.define("fh-anywidget", WidgetElement);
}
