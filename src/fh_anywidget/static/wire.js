// Values on the wire: binary data split out of (and put back into) JSON-like state.
// See docs/protocol.md. Buffers arrive as DataView; outgoing, any ArrayBuffer, typed array or
// DataView is accepted and sent without copying.

/** @param {unknown} v */
export function isBinary(v) {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

/** Bytes of a binary value as a Uint8Array view (no copy). */
export function asBytes(v) {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Replace binary values by null; return the copy plus the paths and buffers taken out.
 * Containers are copied only where needed, so the caller's objects are never changed.
 */
export function splitBuffers(value, path = []) {
  const paths = [];
  const buffers = [];
  const walk = (v, at) => {
    if (isBinary(v)) {
      paths.push(at);
      buffers.push(asBytes(v));
      return null;
    }
    if (Array.isArray(v)) {
      let out = null;
      v.forEach((item, i) => {
        const next = walk(item, [...at, i]);
        if (next !== item) (out ??= v.slice())[i] = next;
      });
      return out ?? v;
    }
    if (v && typeof v === "object" && typeof v.toJSON !== "function") {
      let out = null;
      for (const [k, item] of Object.entries(v)) {
        const next = walk(item, [...at, k]);
        if (next !== item) (out ??= { ...v })[k] = next;
      }
      return out ?? v;
    }
    return v;
  };
  return { value: walk(value, path), paths, buffers };
}

/** Put buffers back at their paths (mutates `state`). */
export function putBuffers(state, paths, buffers) {
  paths.forEach((path, i) => {
    let target = state;
    for (const step of path.slice(0, -1)) target = target[step];
    target[path[path.length - 1]] = buffers[i];
  });
}

/** Deep equality for change detection: binary values are equal only to themselves. */
export function sameValue(a, b) {
  if (a === b) return true;
  if (isBinary(a) || isBinary(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

/** Parse a widget reference ("anywidget:<id>" or ipywidgets' "IPY_MODEL_<id>"); null if not one. */
export function parseRef(ref) {
  if (typeof ref !== "string") return null;
  const m = /^(?:anywidget:|IPY_MODEL_)([0-9A-Za-z_\-]{1,128})$/.exec(ref);
  return m ? m[1] : null;
}
