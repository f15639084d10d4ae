"""The widgets the benchmarks drive: ordinary anywidgets, nothing benchmark-aware in the host."""

from __future__ import annotations

import os
import time
from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"
MiB = 1024 * 1024


class Payloads:
    """Incompressible payloads made once: two per size, so consecutive values always differ."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[bytes, bytes]] = {}

    def get(self, size: int, seq: int) -> bytes:
        if size not in self._made:
            self._made[size] = (os.urandom(size), os.urandom(size))
        return self._made[size][seq % 2]


payloads = Payloads()


class Probe(anywidget.AnyWidget):
    """ping/pong round trips, `down` pulls, `up` pushes, `storm` loops; Python answers each."""

    _esm = """
    export default {
      render({ model, el }) {
        el.textContent = "probe";
        globalThis.benchProbe = model;
        globalThis.benchModel?.(model);
      },
    };
    """
    ping = traitlets.Int(0).tag(sync=True)
    pong = traitlets.Int(0).tag(sync=True)
    pull = traitlets.List([0, 0]).tag(sync=True)  # [size, seq]: please set `down`
    down = traitlets.Any(None).tag(sync=True)
    up = traitlets.Any(None).tag(sync=True)
    got = traitlets.Int(0).tag(sync=True)
    storm = traitlets.Int(0).tag(sync=True)
    value = traitlets.Int(-1).tag(sync=True)
    loop_ms = traitlets.Float(0).tag(sync=True)

    @traitlets.observe("ping")
    def _ping(self, change: dict) -> None:
        self.pong = change["new"]

    @traitlets.observe("pull")
    def _pull(self, change: dict) -> None:
        size, seq = change["new"]
        self.down = payloads.get(size, seq)

    @traitlets.observe("up")
    def _up(self, change: dict) -> None:
        if change["new"] is not None:
            self.got += 1

    @traitlets.observe("storm")
    def _storm(self, change: dict) -> None:
        start = time.perf_counter()
        for i in range(change["new"]):
            self.value = i
        self.loop_ms = (time.perf_counter() - start) * 1000


class Plain(traitlets.HasTraits):
    """The storm's reference: the same loop on an object no host listens to."""

    value = traitlets.Int(-1)


def plain_loop_ms(n: int) -> float:
    plain = Plain()
    start = time.perf_counter()
    for i in range(n):
        plain.value = i
    return (time.perf_counter() - start) * 1000


class Small(anywidget.AnyWidget):
    """P6: a small widget whose code the static page imports directly too."""

    _esm = (STATIC / "small.js").read_text()
    n = traitlets.Int(1).tag(sync=True)


class Shared(anywidget.AnyWidget):
    """P4: one module-level widget every page shows."""

    _esm = "export default { render({ model, el }) { el.textContent = model.get('value'); } };"
    value = traitlets.Int(0).tag(sync=True)
