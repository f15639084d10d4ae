// Model lifecycle in the browser: open / update / custom / close / code, independent of views.
// A model exists as soon as the server opens it; views come and go on top of it.

import { applyCss } from "./loader.js";
import { Model } from "./model.js";
import { Widget } from "./widget.js";
import { putBuffers } from "./wire.js";

export class Registry {
  constructor() {
    /** @type {Map<string, { model: Model, widget: Widget | null, held: Array<[any, DataView[]]> }>} */
    this.entries = new Map();
    this.waiters = new Map(); // model id -> [resolve, reject][]
    this.attachedPages = new Map(); // page token -> Set of model ids the server opened for it
    this.connection = null;
    this.widgetManager = { get_model: (id) => this.whenOpen(id).then((entry) => entry.model) };
  }

  /** Resolves with the model's entry once the server has opened it. */
  whenOpen(id, token = null) {
    const entry = this.entries.get(id);
    if (entry) return Promise.resolve(entry);
    const opened = token && this.attachedPages.get(token);
    if (opened && !opened.has(id)) return Promise.reject(this.unavailable(id));
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ resolve, reject, token });
      this.waiters.set(id, list);
    });
  }

  /** This document let go of a page: forget what was opened for it and who waited on it. */
  forgetPage(token) {
    this.attachedPages.delete(token);
    for (const [id, list] of this.waiters) {
      const rest = list.filter((w) => w.token !== token);
      if (rest.length) this.waiters.set(id, rest);
      else this.waiters.delete(id);
    }
  }

  unavailable(id) {
    return new Error(`model ${id} is not available on this page (closed, or never given to it)`);
  }

  handle(header, buffers) {
    const handler = this[`on_${header.type.replace("-", "_")}`];
    if (!handler) return console.warn("[fh-anywidget] unknown message", header);
    handler.call(this, header, buffers);
  }

  on_open(header, buffers) {
    const state = header.state;
    putBuffers(state, header.buffer_paths ?? [], buffers);
    const existing = this.entries.get(header.model);
    if (existing) {
      // Reopened after a reconnect: converge on the server's state, keep unsent local edits.
      existing.model.applyServerState(state, { keepDirty: true });
      if (existing.widget) this.on_code(header);
      return;
    }
    const model = new Model(header.model, state, this.connection, this.widgetManager);
    const isWidget = header.esm != null || state._model_module === "anywidget";
    const entry = { model, widget: null, held: [], code: codeKey(header), esm: header.esm };
    this.entries.set(header.model, entry);
    if (isWidget) {
      entry.widget = new Widget(model, this);
      entry.widget.load(header);
    }
    for (const { resolve } of this.waiters.get(header.model) ?? []) resolve(entry);
    this.waiters.delete(header.model);
  }

  /** Messages for a model whose code is loading wait until its initialize has settled. */
  hold(header, buffers) {
    const entry = this.entries.get(header.model);
    if (!entry) return null;
    if (entry.widget?.status === "loading") {
      entry.held.push([header, buffers]);
      return null;
    }
    return entry;
  }

  deliverHeld(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    for (const [header, buffers] of entry.held.splice(0)) this.handle(header, buffers);
  }

  on_update(header, buffers) {
    const entry = this.hold(header, buffers);
    if (!entry) return;
    putBuffers(header.state, header.buffer_paths ?? [], buffers);
    entry.model.applyServerState(header.state);
  }

  on_custom(header, buffers) {
    const entry = this.hold(header, buffers);
    entry?.model.emit("msg:custom", [header.content, buffers]);
  }

  on_close(header) {
    const entry = this.entries.get(header.model);
    if (!entry) return;
    this.entries.delete(header.model);
    entry.widget?.destroy();
    entry.model.emit("destroy", [entry.model]);
    entry.model.listeners = [];
  }

  on_code(header) {
    const entry = this.entries.get(header.model);
    if (!entry?.widget || entry.code === codeKey(header)) return;
    const esmChanged = entry.esm !== header.esm;
    entry.code = codeKey(header);
    entry.esm = header.esm;
    if (esmChanged) entry.widget.load(header); // HMR: abort, reload, re-initialize, re-render
    else applyCss(entry.widget.name, header.css); // a stylesheet change needs no new module
  }

  on_attached(header) {
    const opened = new Set(header.models);
    this.attachedPages.set(header.token, opened);
    for (const [id, list] of this.waiters) {
      const rest = list.filter((w) => {
        if (w.token !== header.token || opened.has(id)) return true;
        w.reject(this.unavailable(id));
        return false;
      });
      if (rest.length) this.waiters.set(id, rest);
      else this.waiters.delete(id);
    }
  }

  on_ack(header, buffers) {
    this.connection.acked(header.seq);
    const entry = this.hold(header, buffers);
    if (!entry) return;
    putBuffers(header.state, header.buffer_paths ?? [], buffers);
    entry.model.acked(header.seq, header.state);
  }

  on_error(header) {
    if (header.seq != null) {
      // refused outright (e.g. a model this page may not touch): never resend, forget the write
      this.connection.acked(header.seq);
      this.entries.get(header.model)?.model.acked(header.seq, {});
    }
    console.error(`[fh-anywidget] server: ${header.message}`);
    document.dispatchEvent(new CustomEvent("fh-anywidget:error", { detail: header }));
  }

  on_unknown_page(header) {
    document.dispatchEvent(new CustomEvent("fh-anywidget:unknown-page", { detail: header }));
  }
}

function codeKey(header) {
  return `${header.esm}|${header.css}`;
}
