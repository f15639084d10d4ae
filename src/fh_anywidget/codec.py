"""Widget values on the wire: binary buffers split out, JSON text, widget references.

A widget value is JSON-like data that may hold binary buffers at any depth. On the wire the
JSON part travels as text (buffers replaced by ``null``) and each buffer travels as raw bytes,
located by its path (a list of dict keys and list indices starting at the trait name).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

Path = list[str | int]
Buffer = memoryview

#: A widget's display bundle (a widget shown inside an Output names its model by bare id).
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
ID_PATTERN = re.compile(r"^[0-9A-Za-z_\-]{1,128}$")
#: Strings that name another model: anywidget's reference and ipywidgets' own serialization.
REF_PATTERN = re.compile(r"^(?:anywidget:|IPY_MODEL_)([0-9A-Za-z_\-]{1,128})$")


def as_buffer(value: Any) -> Buffer | None:
    """Return a flat byte view of a binary value, or None if the value is not binary."""
    if isinstance(value, memoryview):
        return value if value.contiguous and value.format == "B" else _flat(value)
    if isinstance(value, (bytes, bytearray)):
        return memoryview(value)
    # numpy arrays and other exporters of the array interface, without importing numpy. Scalars
    # (shape ()) export it too, but they are numbers: JSON carries them (see _json_default).
    interface = getattr(value, "__array_interface__", None)
    if isinstance(interface, dict) and interface.get("shape") and hasattr(value, "tobytes"):
        try:
            return _flat(memoryview(value))
        except (TypeError, ValueError):
            return memoryview(value.tobytes())
    return None


def _flat(view: memoryview) -> memoryview:
    if not view.contiguous:
        view = memoryview(view.tobytes())
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def split_buffers(value: Any, path: Path) -> tuple[Any, list[Path], list[Buffer]]:
    """Replace every binary value inside ``value`` by None; return the copy, paths and buffers.

    Containers are copied only along paths that held a buffer, so the caller's value is never
    mutated.
    """
    paths: list[Path] = []
    buffers: list[Buffer] = []

    def walk(v: Any, at: Path) -> Any:
        buf = as_buffer(v)
        if buf is not None:
            paths.append(at)
            buffers.append(buf)
            return None
        if isinstance(v, dict):
            out = None
            for k, item in v.items():
                new = walk(item, [*at, k])
                if new is not item:
                    out = dict(v) if out is None else out
                    out[k] = new
            return v if out is None else out
        if isinstance(v, (list, tuple)):
            items = None
            for i, item in enumerate(v):
                new = walk(item, [*at, i])
                if new is not item:
                    items = list(v) if items is None else items
                    items[i] = new
            return v if items is None else items
        return v

    return walk(value, path), paths, buffers


def put_buffers(state: dict[str, Any], paths: list[Path], buffers: list[Any]) -> None:
    """Inverse of :func:`split_buffers` for a whole state dict (mutates ``state``).

    Raises ValueError for a path that does not lead into the state.
    """
    for path, buffer in zip(paths, buffers, strict=True):
        target: Any = state
        try:
            for step in path[:-1]:
                target = target[step]
            last = path[-1]
            # (two branches, so the type checker narrows the index for each container)
            if isinstance(target, list) and isinstance(last, int):  # noqa: SIM114
                target[last] = buffer
            elif isinstance(target, dict) and isinstance(last, str):
                target[last] = buffer
            else:
                raise TypeError
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"buffer path {path!r} does not lead into the state") from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return list(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return item()
    iso = getattr(value, "isoformat", None)  # dates and times, as Jupyter sends them
    if callable(iso):
        return iso()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """Compact JSON text that JavaScript's JSON.parse accepts (NaN and ±Infinity become null)."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                          default=_json_default)
    except ValueError:
        return json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=False,
                          default=_json_default)


def iter_refs(value: Any) -> Iterator[str]:
    """Yield the model ids referenced anywhere inside a (buffer-free) value."""
    if isinstance(value, str):
        if len(value) > 10 and (m := REF_PATTERN.match(value)):
            yield m.group(1)
    elif isinstance(value, dict):
        # a widget displayed inside an Output: its display bundle names the model by bare id
        view = value.get(WIDGET_VIEW_MIME)
        if isinstance(view, dict) and isinstance(view.get("model_id"), str) \
                and ID_PATTERN.match(view["model_id"]):
            yield view["model_id"]
        for v in value.values():
            yield from iter_refs(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from iter_refs(v)


_COMPARE_CHUNK = 64 * 1024


def buffers_equal(a: Buffer, b: Buffer) -> bool:
    """Byte equality of two flat buffers.

    memoryview's own ``==`` unpacks and compares item by item (about 1 ms per MiB); comparing
    64 KiB slices as bytes uses memcmp and stays ten times faster without copying it all at once.
    """
    if a.nbytes != b.nbytes:
        return False
    if a is b or a.nbytes == 0:
        return True
    step = _COMPARE_CHUNK
    return all(a[i:i + step].tobytes() == b[i:i + step].tobytes() for i in range(0, a.nbytes, step))


def same_value(a: Any, b: Any) -> bool:
    """Deep equality as JSON sees it: tuples equal lists, buffers compare by bytes."""
    if a is b:
        return True
    ba, bb = as_buffer(a), as_buffer(b)
    if ba is not None or bb is not None:
        return ba is not None and bb is not None and buffers_equal(ba, bb)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    try:
        return bool(a == b)
    except Exception:  # exotic objects whose == raises or is ambiguous
        return False

