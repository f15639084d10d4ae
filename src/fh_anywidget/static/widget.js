// The binding of one model to its widget code: initialize once per model (awaited before any
// render), render once per view, cleanups wired to signals, exports, hot module replacement.

import { randomId } from "./connection.js";
import { applyCss, loadDefinition } from "./loader.js";
import { makeHost } from "./host.js";
import { reportError, showError } from "./errors.js";
import { applyLayout } from "./layout.js";

/** Run `cleanup` when `signal` aborts (now, if it already has); report, never swallow, errors. */
export function onAbort(signal, cleanup, report) {
  const run = async () => {
    try {
      await cleanup();
    } catch (error) {
      report(error);
    }
  };
  if (signal.aborted) run();
  else signal.addEventListener("abort", run, { once: true });
}

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // a failed widget is reported where it is used, not as unhandled
  return { promise, resolve, reject };
}

export class Widget {
  /**
   * @param {import("./model.js").Model} model
   * @param {import("./registry.js").Registry} registry
   */
  constructor(model, registry) {
    this.model = model;
    this.registry = registry;
    this.name = String(model.get("_anywidget_id") ?? model.get("_model_name") ?? "widget");
    this.lifetime = new AbortController(); // aborted when the model closes
    this.generation = null; // aborted when the module is replaced (HMR) or the model closes
    this.status = "loading";
    this.exports = undefined;
    this.definition = null;
    this.views = new Set();
    this.experimental = { invoke: (name, msg, options) => invoke(model, name, msg, options) };
    this.setLoading();
  }

  setLoading() {
    this.status = "loading";
    this.gate = deferred();
    this.ready = this.gate.promise;
  }

  report(phase, error) {
    reportError(this.registry.connection, { model: this.model.model_id, widget: this.name, phase, error });
  }

  /** Load (or, for HMR, replace) the widget's code and run its initialize. */
  async load({ esm, css }) {
    const replacing = this.generation !== null;
    this.generation?.abort(new Error("widget module replaced")); // old initialize + its views
    if (replacing) this.setLoading();
    const generation = (this.generation = new AbortController());
    const signal = AbortSignal.any([this.lifetime.signal, generation.signal]);
    let phase = "load";
    try {
      await applyCss(this.name, css);
      if (!esm) throw new Error("the widget has no _esm module");
      const definition = await loadDefinition(esm, this.name);
      if (signal.aborted) return;
      phase = "initialize";
      const result = await definition.initialize?.({
        model: this.model.scoped(signal),
        signal,
        experimental: this.experimental,
      });
      if (signal.aborted) return;
      if (typeof result === "function") onAbort(signal, result, (e) => this.report("clean up", e));
      this.exports = result !== null && typeof result === "object" ? result : undefined;
      this.definition = definition;
      this.status = "ready";
      this.gate.resolve();
    } catch (error) {
      if (generation.signal.aborted && this.generation !== generation) return; // superseded
      this.status = "failed";
      this.error = Object.assign(error instanceof Error ? error : new Error(String(error)), { phase });
      generation.abort(this.error); // runs whatever cleanup initialize wired before it failed
      this.report(phase, this.error);
      this.gate.reject(this.error);
    } finally {
      this.registry.deliverHeld(this.model.model_id);
    }
    if (!replacing) return;
    for (const view of this.views) {
      view.el.replaceChildren(); // an error box left by a previous failed replacement
      // Replaced code that fails shows in every live view, as a first load would.
      this.renderView(view).catch((error) => {
        if (!view.signal.aborted) showError(view.el, { widget: this.name, phase: error.phase, error });
      });
    }
  }

  /**
   * Render a view into `el` until `signal` aborts. Resolves after render; rejects (having shown
   * nothing) if the widget is unusable or render throws — only this view fails then.
   */
  addView(el, signal) {
    const view = { el, signal, onError: null };
    this.views.add(view);
    this.viewsChanged();
    signal.addEventListener("abort", () => {
      this.views.delete(view);
      this.viewsChanged();
    }, { once: true });
    return this.renderView(view);
  }

  async renderView(view) {
    await this.ready.catch(() => {
      // Unusable: every view shows the original failure (phase, error, stack), none retries it.
      const { phase, name, message, stack } = this.error;
      throw Object.assign(new Error(`${this.name} is unusable: its ${phase} failed: ${name}: ${message}`),
        { phase, stack, cause: this.error, unusable: true });
    });
    if (view.signal.aborted) return;
    const failed = new AbortController();
    // A view ends with its element, with its module (HMR), with its model, or when render fails.
    const signal = AbortSignal.any([view.signal, this.generation.signal, this.lifetime.signal,
      failed.signal]);
    if (signal.aborted) return; // the model closed or its module was replaced meanwhile
    signal.addEventListener("abort", () => view.el.replaceChildren(), { once: true });
    applyLayout(this.registry, this.model, view.el, signal);
    try {
      const result = await this.definition.render?.({
        model: this.model.scoped(signal),
        el: view.el,
        signal,
        host: makeHost(this.registry, signal),
        experimental: this.experimental,
      });
      if (typeof result === "function") onAbort(signal, result, (e) => this.report("clean up", e));
    } catch (error) {
      failed.abort(error);
      this.report("render", error);
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { phase: "render" });
    }
  }

  viewsChanged() {
    if (this.viewsQueued) return;
    this.viewsQueued = true;
    queueMicrotask(() => {
      this.viewsQueued = false;
      // ipywidgets' opt-in view counting: a number (not null) means the widget wants it.
      if (typeof this.model.get("_view_count") === "number") {
        this.model.set("_view_count", this.views.size);
        this.model.save_changes();
      }
    });
  }

  destroy() {
    this.lifetime.abort(new Error("widget closed"));
    this.status = "closed";
  }
}

/** anywidget's experimental RPC to `@command` methods; resolves to [response, buffers]. */
export function invoke(model, name, msg, options = {}) {
  const id = randomId();
  const signal = options.signal ?? AbortSignal.timeout(options.timeout ?? 3000);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const handler = (reply, buffers) => {
      if (reply?.id !== id || reply?.kind !== "anywidget-command-response") return;
      model.off("msg:custom", handler);
      resolve([reply.response, buffers]);
    };
    signal.addEventListener("abort", () => {
      model.off("msg:custom", handler);
      reject(signal.reason);
    }, { once: true });
    model.on("msg:custom", handler);
    model.send({ id, kind: "anywidget-command", name, msg }, undefined, options.buffers ?? []);
  });
}
