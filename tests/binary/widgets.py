"""A probe widget for the binary tests: buffers in every place a widget can put them."""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets


def array_to_json(value: np.ndarray | None, _widget: object) -> dict | None:
    """The usual widget serializer for numpy: raw bytes plus dtype and shape."""
    if value is None:
        return None
    return {"dtype": str(value.dtype), "shape": list(value.shape),
            "data": memoryview(np.ascontiguousarray(value))}


def array_from_json(value: dict | None, _widget: object) -> np.ndarray | None:
    if value is None:
        return None
    return np.frombuffer(value["data"], dtype=value["dtype"]).reshape(value["shape"])


ARRAY = {"to_json": array_to_json, "from_json": array_from_json}

# The ESM keeps its model and what it received on globalThis so a test can drive and inspect it;
# `describe` turns any value into JSON a test can compare (buffers become kind, length, checksum).
PROBE_ESM = """
const checksum = (bytes) => {
  let a = 1, b = 0;
  for (let i = 0; i < bytes.length; i++) { a = (a + bytes[i]) % 65521; b = (b + a) % 65521; }
  return b * 65536 + a;
};
globalThis.describe = (v) => {
  if (v instanceof DataView) {
    return { kind: "DataView", length: v.byteLength,
             sum: checksum(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return { kind: v.constructor.name };
  if (Array.isArray(v)) return v.map(globalThis.describe);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, globalThis.describe(x)]));
  }
  return v;
};
export default {
  render({ model, el }) {
    globalThis.probe = model;
    globalThis.customs = [];
    model.on("msg:custom", (content, buffers) => {
      globalThis.customs.push({ content, buffers });
      if (content?.echo) model.send({ echoed: content.echo }, undefined, buffers);
    });
    el.className = "probe";
    el.textContent = "probe ready";
    model.on("change:value", () => { el.textContent = `value ${model.get("value")}`; });
  },
};
"""


class Probe(anywidget.AnyWidget):
    _esm = PROBE_ESM
    value = traitlets.Int(0).tag(sync=True)
    # Browser writes arrive as memoryview (zero-copy, as in Jupyter), so no Bytes trait here.
    blob = traitlets.Any(None).tag(sync=True)
    nested = traitlets.Any(None).tag(sync=True)
    array = traitlets.Any(None).tag(sync=True, **ARRAY)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.received: list[tuple[object, list[memoryview]]] = []
        self.on_msg(lambda _w, content, buffers: self.received.append((content, buffers)))


def adler(data: bytes | memoryview) -> int:
    """The checksum `describe` computes in the browser (Adler-32 with b in the high half)."""
    import zlib

    return zlib.adler32(bytes(data))
