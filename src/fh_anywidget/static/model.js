// The model a widget sees (AFM's AnyModel, with the Backbone-compatible details real widgets
// use: space-separated event names, `this` context, callback arguments, `set` with an object).
//
// Convergence (docs/protocol.md, "Versions"): the server numbers every change of a model. A
// server value is applied unless it is older than what the model has, or its key has a write
// in flight (that write's acknowledgement brings the key's value as Python kept it). The last
// value the server confirmed for each key is remembered, so a refused write snaps back to it.

import { sameValue, splitBuffers } from "./wire.js";

const ANY_OWNER = Symbol("any");

export class Model {
  /**
   * @param {string} id
   * @param {Record<string, unknown>} state
   * @param {number} version  the server's version of `state`
   * @param {{ send(header: object, buffers: ArrayBufferView[]): number | undefined }} connection
   * @param {{ get_model(id: string): Promise<unknown> }} widgetManager
   */
  constructor(id, state, version, connection, widgetManager) {
    this.model_id = id;
    this.state = state;
    this.version = version;
    this.connection = connection;
    this.widget_manager = widgetManager;
    /** keys set locally and not yet saved */
    this.dirty = new Set();
    /** key -> the latest sent, unacknowledged write of it: its sequence number and value */
    this.pending = new Map();
    /** key -> [value, version]: the server's latest known value of the key */
    this.confirmed = new Map();
    for (const [k, v] of Object.entries(state)) this.confirmed.set(k, [v, version]);
    /** @type {{ name: string, callback: Function, context: unknown, owner: unknown }[]} */
    this.listeners = [];
  }

  get(key) {
    return this.state[key];
  }

  /**
   * Local change, sent by the next save_changes(); fires change events like Backbone (only for
   * values that differ). Every key set is sent, equal or not: widgets often mutate the object
   * `get` returned and then set it (or an equal copy), and mean "sync this".
   */
  set(key, value) {
    const changes = typeof key === "object" && key !== null ? key : { [key]: value };
    const changed = [];
    for (const [k, v] of Object.entries(changes)) {
      if (!sameValue(this.state[k], v)) changed.push(k);
      this.state[k] = v;
      this.dirty.add(k);
    }
    this.emitChanges(changed);
  }

  save_changes() {
    if (this.dirty.size === 0) return;
    const state = {};
    for (const k of this.dirty) state[k] = this.state[k];
    this.dirty.clear();
    const { value, paths, buffers } = splitBuffers(state);
    let seq;
    try {
      seq = this.connection.send({ type: "update", model: this.model_id, state: value, buffer_paths: paths }, buffers);
    } catch (error) {
      // Too big for the server: nothing was sent, the view goes back to the server's values.
      console.error(`[fh-anywidget] model ${this.model_id}: ${error.message}`);
      this.revert(Object.keys(state));
      globalThis.document?.dispatchEvent(new CustomEvent("fh-anywidget:error",
        { detail: { model: this.model_id, message: error.message } }));
      return;
    }
    if (seq !== undefined) for (const [k, v] of Object.entries(state)) this.pending.set(k, { seq, value: v });
    return seq;
  }

  /** Record the server's value of `key` at `version` (unless a newer one is known). */
  confirm(key, value, version) {
    const known = this.confirmed.get(key);
    if (known && known[1] > version) return false;
    this.confirmed.set(key, [value, version]);
    return true;
  }

  /**
   * The server applied write `seq` at `version`; `state` holds its value of each written key
   * that differs from what was sent (a key it does not name was kept as sent).
   */
  acked(seq, state, version) {
    this.version = Math.max(this.version, version);
    const settled = [];
    for (const [k, write] of this.pending) {
      if (write.seq !== seq) continue;
      this.pending.delete(k);
      this.confirm(k, k in state ? state[k] : write.value, version);
      settled.push(k);
    }
    this.showConfirmed(settled);
    if (settled.length) this.emit("fh-anywidget:settled", [seq]);
  }

  /** The server refused write `seq` outright: its keys go back to the server's values. */
  refused(seq) {
    const keys = [];
    for (const [k, write] of this.pending) {
      if (write.seq !== seq) continue;
      this.pending.delete(k);
      keys.push(k);
    }
    this.showConfirmed(keys);
    if (keys.length) this.emit("fh-anywidget:settled", [seq]);
  }

  /** Unsaved or unsendable local values of `keys` give way to the server's. */
  revert(keys) {
    for (const k of keys) this.dirty.delete(k);
    this.showConfirmed(keys);
  }

  /** Show the confirmed value of each key that has no local edit or write in flight. */
  showConfirmed(keys) {
    const changed = [];
    for (const k of keys) {
      if (this.dirty.has(k) || this.pending.has(k) || !this.confirmed.has(k)) continue;
      const [value] = this.confirmed.get(k);
      if (sameValue(this.state[k], value)) continue;
      this.state[k] = value;
      changed.push(k);
    }
    this.emitChanges(changed);
  }

  /**
   * State from the server at `version`. An `update` older than what the model has is dropped
   * (it was overtaken, e.g. by a resync); an `open` (the full state, after a reconnect) is
   * applied when it is not older, and keeps unsaved local edits.
   * Returns whether the state was taken.
   */
  applyServerState(state, version, { full = false } = {}) {
    if (full ? version < this.version : version <= this.version) return false;
    this.version = version;
    const changed = [];
    for (const [k, v] of Object.entries(state)) {
      if (!this.confirm(k, v, version)) continue;
      if (this.pending.has(k)) continue; // its acknowledgement settles it
      if (full && this.dirty.has(k)) continue;
      this.dirty.delete(k);
      if (sameValue(this.state[k], v)) continue;
      this.state[k] = v;
      changed.push(k);
    }
    this.emitChanges(changed);
    return true;
  }

  /** Custom message to Python; `callbacks` is accepted for ipywidgets compatibility. */
  send(content, callbacks, buffers = []) {
    this.connection.send({ type: "custom", model: this.model_id, content }, buffers ?? []);
  }

  on(names, callback, context, owner = ANY_OWNER) {
    if (typeof callback !== "function") return this;
    for (const name of String(names).split(/\s+/).filter(Boolean)) {
      this.listeners.push({ name, callback, context, owner });
    }
    return this;
  }

  once(names, callback, context, owner = ANY_OWNER) {
    const wrapper = (...args) => {
      this.off(names, wrapper, undefined, owner);
      return callback.apply(context ?? this, args);
    };
    return this.on(names, wrapper, context, owner);
  }

  /**
   * Backbone semantics: every argument given narrows what is removed; none removes all — of
   * `owner`'s listeners when an owner is given (a view removes only its own), else of all.
   */
  off(names, callback, context, owner = undefined) {
    const wanted = names ? new Set(String(names).split(/\s+/).filter(Boolean)) : null;
    this.listeners = this.listeners.filter(
      (l) =>
        !((owner === undefined || l.owner === owner) &&
          (!wanted || wanted.has(l.name)) &&
          (!callback || l.callback === callback) &&
          (context == null || l.context === context)),
    );
    return this;
  }

  /** Remove every listener registered through one scope (a view, an initialize, a getModel). */
  offOwner(owner) {
    this.listeners = this.listeners.filter((l) => l.owner !== owner);
  }

  emit(name, args) {
    for (const l of this.listeners.slice()) {
      if (l.name !== name) continue;
      try {
        l.callback.apply(l.context ?? this, args);
      } catch (error) {
        console.error(`[fh-anywidget] a '${name}' listener of model ${this.model_id} threw`, error);
      }
    }
  }

  emitChanges(keys) {
    for (const k of keys) this.emit(`change:${k}`, [this, this.state[k]]);
    if (keys.length) this.emit("change", [this]);
  }

  /**
   * The model as one user of it sees it: its listeners are its own (`off` with no arguments
   * removes only those) and all go away when `signal` aborts (never, without a signal).
   */
  scoped(signal) {
    const owner = Symbol("scope");
    signal?.addEventListener("abort", () => this.offOwner(owner), { once: true });
    const model = this;
    return {
      get: (key) => model.get(key),
      set: (key, value) => model.set(key, value),
      save_changes: () => model.save_changes(),
      send: (content, callbacks, buffers) => model.send(content, callbacks, buffers),
      on(names, callback, context) {
        model.on(names, callback, context ?? this, owner);
      },
      once(names, callback, context) {
        model.once(names, callback, context ?? this, owner);
      },
      off(names, callback, context) {
        model.off(names, callback, context, owner);
      },
      get model_id() {
        return model.model_id;
      },
      get widget_manager() {
        return model.widget_manager;
      },
    };
  }
}
