// Model lifecycle in the browser: open / update / custom / close / release / code, independent
// of views. A model exists as soon as the server opens it; views come and go on top of it.

import { applyCss } from "./loader.js";
import { Model } from "./model.js";
import { Widget } from "./widget.js";
import { putBuffers } from "./wire.js";

export class Registry {
  /** @param {string} assetBase  URL that asset names (code the server serves) are relative to */
  constructor(assetBase = "/") {
    this.assetBase = assetBase;
    /** @type {Map<string, { model: Model, widget: Widget | null, held: Array<[any, DataView[]]>, code: string, esm: string | null, fresh: boolean, fromPage: boolean }>} */
    this.entries = new Map();
    this.waiters = new Map(); // model id -> [resolve, reject][]
    this.attachedPages = new Map(); // page token -> Set of model ids the server granted for it
    this.inlined = new Map(); // page token -> ids opened from the page's HTML, not yet confirmed
    this.resyncing = null; // tokens whose `attached` is awaited after a reconnect
    this.connection = null;
    this.classicManager = null; // Promise<ClassicManager>, made when a classic model is needed
    this.widgetManager = {
      // ipywidgets' API, used by real widgets: each caller gets its own view of the model
      get_model: (id) => this.whenOpen(id).then((entry) => entry.model.scoped(null)),
    };
  }

  /** The URL of a module or stylesheet the server names: an asset name, or a URL as given. */
  codeUrl(name) {
    return name == null ? null : new URL(name, new URL(this.assetBase, location.href)).href;
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
    this.inlined.delete(token);
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

  /**
   * A new socket is about to present `tokens` again: once each is answered, models that were
   * not opened again are gone on the server (closed while this page was offline).
   */
  beginResync(tokens) {
    this.resyncing = new Set(tokens);
    for (const entry of this.entries.values()) entry.fresh = false;
    if (this.resyncing.size === 0) this.endResync();
  }

  answered(token) {
    if (!this.resyncing?.delete(token) || this.resyncing.size) return;
    this.endResync();
  }

  endResync() {
    this.resyncing = null;
    for (const [id, entry] of [...this.entries]) if (!entry.fresh) this.on_close({ model: id });
  }

  /**
   * `open` messages the page's HTML carried for `token`: models to render from before the
   * socket is open. The socket's own `open`s confirm (and update) them; one the server no longer
   * grants when it answers `attached` was closed meanwhile.
   */
  preload(headers, token) {
    const inlined = this.inlined.get(token) ?? new Set();
    for (const header of headers) {
      if (this.entries.has(header.model)) continue; // the socket's state is at least as new
      this.on_open(header, []);
      this.entries.get(header.model).fromPage = true;
      inlined.add(header.model);
    }
    this.inlined.set(token, inlined);
  }

  on_hello(header) {
    this.connection.limits = { maxMessage: header.max_message, maxPayload: header.max_payload };
  }

  on_open(header, buffers) {
    const state = header.state;
    putBuffers(state, header.buffer_paths ?? [], buffers);
    const existing = this.entries.get(header.model);
    if (existing) {
      // Opened again (after a reconnect, or re-granted): converge on the server's state and
      // keep unsent local edits. Messages held while its code loads that are older than this
      // state are dropped when they are replayed (their version is lower).
      existing.fresh = true;
      existing.fromPage = false;
      existing.model.applyServerState(state, header.version, { full: true });
      if (existing.widget) this.on_code(header);
      return;
    }
    const model = new Model(header.model, state, header.version, this.connection, this.widgetManager);
    const isWidget = header.esm != null || state._model_module === "anywidget";
    const entry = { model, widget: null, held: [], code: codeKey(header), esm: header.esm, fresh: true,
      fromPage: false };
    this.entries.set(header.model, entry);
    if (isWidget) {
      entry.widget = new Widget(model, this);
      entry.widget.load({ esm: this.codeUrl(header.esm), css: this.codeUrl(header.css) });
    }
    // A link (jslink/jsdlink) has no view but runs in the browser: it needs its classic model now.
    if (!isWidget && LINKS.has(state._model_name)) this.classic().then((m) => m.get_model(header.model))
      .catch((error) => console.error(`[fh-anywidget] link ${header.model}`, error));
    for (const { resolve } of this.waiters.get(header.model) ?? []) resolve(entry);
    this.waiters.delete(header.model);
  }

  /** The classic ipywidgets front end (static/classic/), loaded on first need. */
  classic() {
    this.classicManager ??= import("./classic/widgets.js").then((m) => new m.ClassicManager(this));
    return this.classicManager;
  }

  /** Render classic model `id` into `el` until `signal` aborts. */
  async renderClassic(id, el, signal) {
    const manager = await this.classic();
    return manager.render(id, el, signal);
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
    entry.model.applyServerState(header.state, header.version);
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

  /**
   * This socket no longer mirrors the model (the page that gave it was detached). Unless a
   * view shows it again already (its page is being attached again, and a new `open` follows),
   * the entry goes.
   */
  on_release(header) {
    const entry = this.entries.get(header.model);
    if (!entry || (entry.widget?.views.size ?? 0) > 0 || this.waiters.has(header.model)) return;
    this.on_close(header);
  }

  on_code(header) {
    const entry = this.entries.get(header.model);
    if (!entry?.widget || entry.code === codeKey(header)) return;
    const esmChanged = entry.esm !== header.esm;
    entry.code = codeKey(header);
    entry.esm = header.esm;
    const code = { esm: this.codeUrl(header.esm), css: this.codeUrl(header.css) };
    if (esmChanged) entry.widget.load(code); // HMR: abort, reload, re-initialize, re-render
    else applyCss(entry.widget.name, code.css); // a stylesheet change needs no new module
  }

  on_attached(header) {
    const opened = new Set(header.models);
    this.attachedPages.set(header.token, opened);
    for (const id of this.inlined.get(header.token) ?? []) {
      // rendered from the page's HTML, but closed on the server before the socket came
      if (this.entries.get(id)?.fromPage && !opened.has(id)) this.on_close({ model: id });
    }
    this.inlined.delete(header.token);
    for (const [id, list] of this.waiters) {
      const rest = list.filter((w) => {
        if (w.token !== header.token || opened.has(id)) return true;
        w.reject(this.unavailable(id));
        return false;
      });
      if (rest.length) this.waiters.set(id, rest);
      else this.waiters.delete(id);
    }
    this.answered(header.token);
  }

  on_ack(header, buffers) {
    this.connection.acked(header.seq);
    const entry = this.hold(header, buffers);
    if (!entry) return;
    putBuffers(header.state, header.buffer_paths ?? [], buffers);
    entry.model.acked(header.seq, header.state, header.version);
  }

  on_error(header) {
    if (header.seq != null) {
      // refused outright: never resend it, and its keys go back to the server's values
      this.connection.acked(header.seq);
      for (const entry of this.entries.values()) entry.model.refused(header.seq);
    }
    console.error(`[fh-anywidget] server: ${header.message}`);
    document.dispatchEvent(new CustomEvent("fh-anywidget:error", { detail: header }));
  }

  on_unknown_page(header) {
    if (header.token) {
      this.inlined.delete(header.token);
      // The page's views stay, frozen (expired), rather than vanishing with their models.
      for (const id of this.attachedPages.get(header.token) ?? []) {
        const entry = this.entries.get(id);
        if (entry) entry.fresh = true;
      }
      this.answered(header.token);
    }
    document.dispatchEvent(new CustomEvent("fh-anywidget:unknown-page", { detail: header }));
  }
}

const LINKS = new Set(["LinkModel", "DirectionalLinkModel"]);

function codeKey(header) {
  return `${header.esm}|${header.css}`;
}
