// The model a widget sees (AFM's AnyModel, with the Backbone-compatible details real widgets
// use: space-separated event names, `this` context, callback arguments, `set` with an object).

import { sameValue, splitBuffers } from "./wire.js";

const ANY_OWNER = Symbol("any");

export class Model {
  /**
   * @param {string} id
   * @param {Record<string, unknown>} state
   * @param {{ send(header: object, buffers: ArrayBufferView[]): void }} connection
   * @param {{ get_model(id: string): Promise<unknown> }} widgetManager
   */
  constructor(id, state, connection, widgetManager) {
    this.model_id = id;
    this.state = state;
    this.connection = connection;
    this.widget_manager = widgetManager;
    this.dirty = new Set();
    /** key -> sequence number of the latest sent, not yet acknowledged write of it */
    this.pending = new Map();
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
    const seq = this.connection.send({ type: "update", model: this.model_id, state: value, buffer_paths: paths }, buffers);
    if (seq !== undefined) for (const k of Object.keys(state)) this.pending.set(k, seq);
  }

  /**
   * The server applied write `seq`; `state` holds its values of the keys written. A key whose
   * latest write this was takes the server's value (snapping back if Python refused it).
   */
  acked(seq, state) {
    const changed = [];
    for (const [k, s] of this.pending) {
      if (s !== seq) continue;
      this.pending.delete(k);
      if (!(k in state) || this.dirty.has(k) || sameValue(this.state[k], state[k])) continue;
      this.state[k] = state[k];
      changed.push(k);
    }
    this.emitChanges(changed);
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
      this.off(names, wrapper);
      return callback.apply(context ?? this, args);
    };
    return this.on(names, wrapper, context, owner);
  }

  /** Backbone semantics: every argument given narrows what is removed; none removes all. */
  off(names, callback, context) {
    const wanted = names ? new Set(String(names).split(/\s+/).filter(Boolean)) : null;
    this.listeners = this.listeners.filter(
      (l) =>
        !((!wanted || wanted.has(l.name)) &&
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
   * State from the server: it wins over unsaved local values of the same keys, but not over a
   * write in flight (that write's acknowledgement brings the server's final value of the key).
   */
  applyServerState(state, { keepDirty = false } = {}) {
    const changed = [];
    for (const [k, v] of Object.entries(state)) {
      if (this.pending.has(k)) continue;
      if (keepDirty && this.dirty.has(k)) continue;
      this.dirty.delete(k);
      if (sameValue(this.state[k], v)) continue;
      this.state[k] = v;
      changed.push(k);
    }
    this.emitChanges(changed);
  }

  /** A view of this model whose listeners all go away together, when `signal` aborts. */
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
        model.off(names, callback, context);
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
