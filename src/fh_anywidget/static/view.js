// <fh-anywidget model="…" page="…" socket="…">: a view that lives exactly as long as its element
// is in the document. Rendering starts when it is connected; disconnection aborts the view's
// signal (running its cleanups) — unless the element was only moved within the same task.

import { showError } from "./errors.js";

export function defineViewElement(runtimeFor) {
  class WidgetElement extends HTMLElement {
    #controller = null;
    #leaving = false;

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
      const controller = (this.#controller = new AbortController());
      const id = this.getAttribute("model");
      const problem = this.getAttribute("error");
      if (problem || !id) {
        showError(this, { widget: "fh-anywidget", phase: "render", error: new Error(problem ?? "no model id") });
        return;
      }
      const runtime = runtimeFor(this.getAttribute("socket"));
      const token = this.getAttribute("page");
      runtime.attach(token);
      const el = document.createElement("div");
      el.className = "fh-anywidget-view";
      this.replaceChildren(el);
      runtime.registry
        .whenOpen(id, token)
        .then((entry) => {
          if (controller.signal.aborted) return;
          if (!entry.widget) {
            const name = entry.model.get("_view_name") ?? entry.model.get("_model_name");
            throw new Error(`${name} from ${entry.model.get("_view_module")} is a classic ipywidgets ` +
              "view, not an anywidget; it cannot be shown here");
          }
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
    }
  }
  if (!customElements.get("fh-anywidget")) customElements.define("fh-anywidget", WidgetElement);
}
