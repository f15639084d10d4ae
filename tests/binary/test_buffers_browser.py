"""Buffers anywhere in state and in custom messages, both directions, in real Chromium."""

from __future__ import annotations

import numpy as np
from fasthtml.common import Titled
from playwright.sync_api import expect

from tests.apps import make_app
from tests.binary.widgets import Probe, adler
from tests.conftest import wait_until


def dv(data: bytes) -> dict:
    """What the browser's `describe` says about a buffer holding ``data``."""
    return {"kind": "DataView", "length": len(data), "sum": adler(data)}


def serve_probe(serve, page, **traits) -> Probe:
    app, rt, _ = make_app()
    made: list[Probe] = []

    @rt("/")
    def index():
        made.append(Probe(**traits))
        return Titled("Binary", made[-1])

    page.goto(serve(app).url)
    expect(page.locator(".probe")).to_have_text("probe ready")
    return made[0]


def describe(page, expression: str):
    return page.evaluate(f"() => describe({expression})")


def test_python_buffers_reach_the_browser_as_dataviews(serve, page):
    blob = bytes(range(256)) * 3
    deep = bytearray(b"six levels down")
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    probe = serve_probe(serve, page, blob=blob, array=array,
                        nested={"a": [1, {"b": {"c": [{"d": {"e": deep}}]}}], "plain": "text"})

    # Buffers in the state a model opens with: top level, six levels deep, numpy via serializer.
    assert describe(page, "probe.get('blob')") == dv(blob)
    assert describe(page, "probe.get('nested')") == {
        "a": [1, {"b": {"c": [{"d": {"e": dv(deep)}}]}}], "plain": "text"}
    assert describe(page, "probe.get('array')") == {
        "dtype": "float32", "shape": [3, 4], "data": dv(array.tobytes())}

    # Updates: every buffer-protocol type, in lists and dicts, plus an empty buffer.
    raw = np.arange(1000, dtype=np.int16)
    probe.nested = {"list": [b"bytes", bytearray(b"bytearray"), memoryview(b"memoryview")],
                    "numpy": raw, "strided": raw[::2], "empty": b""}
    page.wait_for_function("() => probe.get('nested')?.list !== undefined")
    assert describe(page, "probe.get('nested')") == {
        "list": [dv(b"bytes"), dv(b"bytearray"), dv(b"memoryview")],
        "numpy": dv(raw.tobytes()), "strided": dv(raw[::2].tobytes()), "empty": dv(b"")}

    # Custom messages carry buffers of any kind next to their JSON content.
    probe.send({"n": 1}, buffers=[b"one", bytearray(b"two"), memoryview(b"three"), raw])
    page.wait_for_function("() => customs.length === 1")
    assert describe(page, "customs[0]") == {
        "content": {"n": 1},
        "buffers": [dv(b"one"), dv(b"two"), dv(b"three"), dv(raw.tobytes())]}
    assert not page.console_errors


def test_browser_buffers_reach_python(serve, page):
    probe = serve_probe(serve, page)
    page.evaluate("""() => {
      globalThis.blobChanges = 0;
      probe.on("change:blob", () => blobChanges++);
      const ints = new Int16Array([1, 2, 3, 4, 5, 6]);
      probe.set({
        blob: new Uint8Array([0, 1, 2, 255]),
        nested: { a: [new ArrayBuffer(3), { b: new Float64Array([1.5, -2]) }],
                  c: { d: { e: { f: { g: new DataView(new Uint8Array([9, 8, 7]).buffer) } } } },
                  window: ints.subarray(2, 4), text: "kept" },
        array: { dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      });
      probe.save_changes();
    }""")
    wait_until(lambda: probe.array is not None, what="the browser's write")
    assert bytes(probe.blob) == bytes([0, 1, 2, 255])
    nested = probe.nested
    assert bytes(nested["a"][0]) == b"\0\0\0"
    assert np.frombuffer(nested["a"][1]["b"], dtype=np.float64).tolist() == [1.5, -2]
    assert bytes(nested["c"]["d"]["e"]["f"]["g"]) == bytes([9, 8, 7])
    # A typed-array window sends only its own bytes, not the whole underlying buffer.
    assert np.frombuffer(nested["window"], dtype=np.int16).tolist() == [3, 4]
    assert nested["text"] == "kept"
    assert probe.array.dtype == np.float32 and probe.array.tolist() == [[1, 2], [3, 4]]

    # Custom messages from the browser: ArrayBuffer, typed array window, DataView.
    page.evaluate("""() => probe.send({ kind: "mixed" }, undefined, [
      new Uint8Array([1, 2, 3]).buffer,
      new Uint16Array([10, 20, 30, 40]).subarray(1, 3),
      new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2),
    ])""")
    wait_until(lambda: probe.received, what="the custom message")
    content, buffers = probe.received[0]
    assert content == {"kind": "mixed"}
    assert [bytes(b) for b in buffers] == [b"\1\2\3", np.array([20, 30], np.uint16).tobytes(),
                                           b"\6\7"]

    # Buffers survive a round trip Python -> browser -> Python byte for byte.
    payload = np.random.default_rng(1).bytes(100_000)
    probe.send({"echo": "again"}, buffers=[payload, b""])
    wait_until(lambda: len(probe.received) == 2, what="the echo")
    assert probe.received[1][0] == {"echoed": "again"}
    assert [bytes(b) for b in probe.received[1][1]] == [payload, b""]

    # The writer is never sent its own buffers back: a later change arrives, no blob echo did.
    probe.value = 7
    expect(page.locator(".probe")).to_have_text("value 7")
    assert page.evaluate("() => blobChanges") == 1  # only the local set
    assert not page.console_errors
