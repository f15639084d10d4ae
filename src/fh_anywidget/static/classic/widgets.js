// Classic ipywidgets in the browser: the official front end (vendored, static/vendor/classic/)
// driven by a small widget manager over fh-anywidget's registry. Imported only when a page
// shows a classic widget (or opens a jslink), so anywidget-only pages never load it.
//
// Each classic model keeps its replica in the registry's Model (versions, writes in flight,
// acknowledgements: docs/protocol.md); a Backbone WidgetModel from @jupyter-widgets/base sits on
// top of it, fed through a comm that talks to that Model instead of a kernel.

import { base, controls, LuminoWidget, output } from "../vendor/classic/classic.js";
import { reportError } from "../errors.js";
import { putBuffers } from "../wire.js";

const MODULES = {
  "@jupyter-widgets/base": base,
  "@jupyter-widgets/controls": controls,
  "@jupyter-widgets/output": output,
};

function addStylesheet() {
  if (document.getElementById("fh-anywidget-classic-css")) return;
  const link = Object.assign(document.createElement("link"), {
    id: "fh-anywidget-classic-css",
    rel: "stylesheet",
    href: new URL("../vendor/classic/classic.css", import.meta.url).href,
  });
  document.head.append(link);
}

/**
 * A kernel comm as WidgetModel uses it, backed by the registry's Model: sends become the Model's
 * writes (so they share its sequence numbers, acknowledgements and resends), server changes
 * become `update` messages. A sync counts as finished (ipywidgets' "idle") when its write is
 * acknowledged, which keeps WidgetModel's one-message-in-flight throttle.
 */
class ModelComm {
  constructor(model) {
    this.model = model;
    this.comm_id = model.model_id;
    this.target_name = "jupyter.widget";
    this.onMsg = null;
    this.onClose = null;
    this.seen = { ...model.state }; // the values the Backbone model was given, by identity
    this.waiting = new Map(); // seq -> the sync's status callback
    this.writing = false;
  }

  on_msg(callback) {
    this.onMsg = callback;
  }

  on_close(callback) {
    this.onClose = callback;
  }

  open() {}

  close() {}

  /** Start mirroring the Model into the Backbone model (anything changed since construction). */
  start() {
    this.model.on("change", () => this.forward());
    this.model.on("fh-anywidget:settled", (seq) => this.settled(seq));
    this.model.on("destroy", () => this.onClose?.({ content: { data: {} } }));
    this.forward();
  }

  forward() {
    if (this.writing) return;
    const state = {};
    for (const [k, v] of Object.entries(this.model.state)) {
      if (this.seen[k] === v) continue;
      this.seen[k] = v;
      state[k] = v;
    }
    if (Object.keys(state).length === 0) return;
    this.onMsg?.({ content: { data: { method: "update", state, buffer_paths: [] } }, buffers: [] });
  }

  settled(seq) {
    const status = this.waiting.get(seq);
    if (!status) return;
    this.waiting.delete(seq);
    status({ content: { execution_state: "idle" } });
  }

  send(data, callbacks, metadata, buffers = []) {
    if (data.method === "custom") {
      this.model.send(data.content, null, buffers);
      return "";
    }
    if (data.method !== "update") return ""; // request_state: the registry already has it
    const state = data.state;
    putBuffers(state, data.buffer_paths ?? [], buffers);
    this.writing = true;
    let seq;
    try {
      this.model.set(state);
      for (const [k, v] of Object.entries(state)) this.seen[k] = v;
      seq = this.model.save_changes();
    } finally {
      this.writing = false;
    }
    this.forward(); // a write refused before it was sent snaps the view back
    const status = callbacks?.iopub?.status;
    if (status && seq !== undefined) this.waiting.set(seq, status);
    else if (status) queueMicrotask(() => status({ content: { execution_state: "idle" } }));
    return seq === undefined ? "" : String(seq);
  }
}

/** An anywidget shown inside a classic container: a view that renders it through its Widget. */
class AnyWidgetView extends base.DOMWidgetView {
  render() {
    this.controller = new AbortController();
    const entry = this.model.entry;
    entry.widget.addView(this.el, this.controller.signal).catch((error) => {
      console.error(`[fh-anywidget] ${entry.widget.name} inside a classic container`, error);
    });
  }

  remove() {
    this.controller?.abort(new Error("view removed"));
    return super.remove();
  }
}

/** ipywidgets' Output, rendering its `outputs` list (there is no kernel to stream them). */
class OutputView extends output.OutputView {
  render() {
    super.render();
    this.el.classList.add("widget-output", "jupyter-widgets-output-area");
    this.shown = []; // [{ key, box, view }] per output entry, in order
    this.listenTo(this.model, "change:outputs", () => this.update());
    this.update();
  }

  /** Keep the entries that did not change (a growing stream, a live widget), redo the rest. */
  update() {
    const items = this.model.get("outputs") ?? [];
    const keys = items.map((item) => JSON.stringify(item));
    let same = 0;
    while (same < this.shown.length && same < keys.length && this.shown[same].key === keys[same]) same++;
    for (const old of this.shown.splice(same)) this.drop(old);
    for (let i = same; i < items.length; i++) {
      const shown = { key: keys[i], box: null, view: null };
      shown.box = this.renderOutput(items[i], shown);
      this.el.append(shown.box);
      this.shown.push(shown);
    }
  }

  drop(shown) {
    shown.dropped = true;
    if (shown.view) shown.view.then((v) => removeView(v), () => {}).finally(() => shown.box.remove());
    else shown.box.remove();
  }

  renderOutput(item, shown) {
    const box = document.createElement("div");
    box.className = "fh-anywidget-output";
    const pre = (text, cls) => {
      const el = document.createElement("pre");
      el.className = cls;
      el.textContent = text;
      return el;
    };
    if (item.output_type === "stream") {
      box.append(pre(item.text ?? "", `fh-anywidget-output-${item.name === "stderr" ? "stderr" : "stdout"}`));
    } else if (item.output_type === "error") {
      const text = (item.traceback ?? [`${item.ename}: ${item.evalue}`]).join("\n");
      box.append(pre(text.replace(/\x1b\[[0-9;]*m/g, ""), "fh-anywidget-output-error"));
    } else {
      const data = item.data ?? {};
      const ref = data["application/vnd.jupyter.widget-view+json"];
      if (ref?.model_id) {
        shown.view = this.model.widget_manager.get_model(ref.model_id)
          .then((model) => this.model.widget_manager.create_view(model, {}))
          .then((v) => {
            if (!shown.dropped) LuminoWidget.attach(v.luminoWidget, box);
            return v;
          });
        shown.view.catch((error) => box.append(pre(String(error.message ?? error), "fh-anywidget-output-error")));
      } else if (data["text/html"] != null) {
        box.innerHTML = [].concat(data["text/html"]).join("");
      } else if (data["image/png"] || data["image/jpeg"]) {
        const mime = data["image/png"] ? "image/png" : "image/jpeg";
        box.append(Object.assign(document.createElement("img"), { src: `data:${mime};base64,${data[mime]}` }));
      } else if (data["image/svg+xml"] != null) {
        box.innerHTML = [].concat(data["image/svg+xml"]).join("");
      } else {
        box.append(pre([].concat(data["text/plain"] ?? "").join(""), "fh-anywidget-output-stdout"));
      }
    }
    return box;
  }

  remove() {
    for (const old of this.shown.splice(0)) this.drop(old);
    return super.remove();
  }
}

/**
 * Detach a root view and remove it. Lumino refuses to detach a widget whose node already left
 * the document (its element was removed first), so such a node is parked in the document for
 * the detach: its views get their detach messages and clean up as usual.
 */
function removeView(view) {
  const widget = view.luminoWidget;
  if (widget?.isAttached && !widget.parent) {
    let parking = null;
    if (!widget.node.isConnected) {
      parking = Object.assign(document.createElement("div"), { hidden: true });
      document.body.append(parking);
      parking.append(widget.node);
    }
    LuminoWidget.detach(widget);
    parking?.remove();
  }
  view.remove();
}

const OVERRIDES = { "@jupyter-widgets/output": { OutputView } };

/** The widget manager ipywidgets' models and views call (`get_model`, `create_view`, …). */
export class ClassicManager {
  constructor(registry) {
    this.registry = registry;
    this.models = new Map(); // model id -> Promise<WidgetModel>
    addStylesheet();
  }

  loadClass(name, module, version) {
    const cls = OVERRIDES[module]?.[name] ?? MODULES[module]?.[name];
    if (!cls) {
      throw new Error(`${name} from ${module}@${version}: this classic widget's front end is not ` +
        `available. fh-anywidget ships @jupyter-widgets/base, controls and output; "${module}" ` +
        "would come from its Python package's JupyterLab extension, which fh-anywidget does not " +
        "load yet (third-party classic libraries are not supported)");
    }
    return cls;
  }

  has_model(id) {
    return this.models.has(id);
  }

  get_model(id) {
    let model = this.models.get(id);
    if (!model) {
      model = this.make(id);
      this.models.set(id, model);
      model.catch(() => this.models.delete(id));
    }
    return model;
  }

  async make(id) {
    const entry = await this.registry.whenOpen(id);
    if (entry.widget) {
      // an anywidget: its replica stays the registry's; the container only needs a view of it
      const layout = entry.model.get("layout");
      const attributes = await base.DOMWidgetModel._deserialize_state(layout ? { layout } : {}, this);
      const model = new base.DOMWidgetModel({ ...attributes, _view_name: "AnyWidgetView" },
        { widget_manager: this, model_id: id });
      model.entry = entry;
      entry.model.on("destroy", () => model.close(true));
      return model;
    }
    const state = entry.model.state;
    const ModelType = this.loadClass(state._model_name, state._model_module, state._model_module_version);
    const comm = new ModelComm(entry.model);
    const attributes = await ModelType._deserialize_state({ ...state }, this);
    const model = new ModelType(attributes, { widget_manager: this, model_id: id, comm });
    model.name = state._model_name;
    model.module = state._model_module;
    model.once("comm:close", () => this.models.delete(id));
    comm.start();
    return model;
  }

  async create_view(model, options = {}) {
    const view = (model.state_change = model.state_change.then(async () => {
      const ViewType = model.entry
        ? AnyWidgetView
        : this.loadClass(model.get("_view_name"), model.get("_view_module"), model.get("_view_module_version"));
      const view = new ViewType({ model, options });
      view.listenTo(model, "destroy", view.remove);
      await view.render();
      return view;
    }));
    const key = Math.random().toString(36).slice(2);
    if (model.views) model.views[key] = view;
    view.then((v) => v.once("remove", () => model.views && delete model.views[key]), () => {});
    return view;
  }

  callbacks() {
    return {};
  }

  resolveUrl(url) {
    return Promise.resolve(url);
  }

  inline_sanitize(text) {
    return text; // descriptions are the app's own text (description_allow_html)
  }

  new_model() {
    throw new Error("creating widget models in the browser is not supported; create them in Python");
  }

  /** Render model `id` into `el` until `signal` aborts. */
  async render(id, el, signal) {
    try {
      await this.renderView(id, el, signal);
    } catch (error) {
      const state = this.registry.entries.get(id)?.model.state ?? {};
      reportError(this.registry.connection, { model: id, widget: state._view_name ?? state._model_name,
        phase: "render", error });
      throw error;
    }
  }

  async renderView(id, el, signal) {
    const model = await this.get_model(id);
    if (signal.aborted) return;
    const view = await this.create_view(model, {});
    // Lumino attaches only into the document: a parent may place `el` there after rendering
    while (!el.isConnected && !signal.aborted) await new Promise((resolve) => requestAnimationFrame(resolve));
    if (signal.aborted) return view.remove();
    LuminoWidget.attach(view.luminoWidget, el);
    signal.addEventListener("abort", () => removeView(view), { once: true });
  }
}
