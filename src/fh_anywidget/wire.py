"""The page socket's protocol, outgoing side (docs/protocol.md is the normative description).

Every message is one text frame holding a JSON header, followed by the binary frames of the
buffers the header declares (``"buffers": [byte lengths]``). A buffer may be split over several
binary frames (so a sender can stay under a frame limit); an empty buffer is one empty frame.
Messages are encoded once and shared by every socket that sends them. Inbound framing and
validation live in ``framing.py``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from .codec import Buffer, Path, as_buffer, buffers_equal, iter_refs, split_buffers, to_json

PROTOCOL_VERSION = 2

# Close codes (RFC 6455 and the 4000-4999 private range); docs/protocol.md, "Close codes".
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED = 1003
CLOSE_TOO_BIG = 1009
CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_SLOW = 4408

#: Largest binary frame either side sends; bigger buffers go out as several frames. Keeps every
#: frame far below uvicorn's 16 MiB ``ws_max_size`` and bounds per-frame copies in socket layers.
FRAME_CHUNK = 4 * 1024 * 1024


class ProtocolError(Exception):
    """A framing violation: the connection is closed with ``code``."""

    def __init__(self, reason: str, code: int = CLOSE_PROTOCOL_ERROR) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class MessageError(Exception):
    """A well-framed message that cannot be applied: answered with an error, socket survives.

    ``seq`` is the refused message's sequence number when it had one, so the browser stops
    resending it; ``model`` the model it was about, when the sender may see that model.
    """

    def __init__(self, message: str, *, model: str | None = None, ref: Any = None,
                 seq: int | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.ref = ref
        self.seq = seq


# --------------------------------------------------------------------------- outgoing


@dataclass(frozen=True, slots=True)
class Slot:
    """One trait value, encoded once and shared by every message and connection that sends it."""

    json: str
    paths: list[Path]
    buffers: list[Buffer]
    refs: frozenset[str]

    @classmethod
    def of(cls, value: Any) -> Slot:
        scalar = _scalar_json(value)
        if scalar is not None:  # most trait changes: skip the walk (a 100,000-set loop notices)
            refs = frozenset(iter_refs(value)) if type(value) is str else _NO_REFS
            return cls(scalar, [], [], refs)
        clean, paths, buffers = split_buffers(value, [])
        return cls(to_json(clean), paths, buffers, frozenset(iter_refs(clean)))

    @property
    def nbytes(self) -> int:
        return len(self.json) + sum(b.nbytes for b in self.buffers)

    def same_as(self, other: Slot | None) -> bool:
        """Whether ``other`` encodes the same value (same JSON, same bytes at the same paths)."""
        return other is not None and self.json == other.json and self.paths == other.paths and all(
            buffers_equal(x, y) for x, y in zip(self.buffers, other.buffers, strict=True))


_NO_REFS: frozenset[str] = frozenset()


def _scalar_json(value: Any) -> str | None:
    """JSON text of a plain scalar exactly as :func:`to_json` writes it, or None."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value) if math.isfinite(value) else "null"
    if kind is str:
        return encode_basestring(value)
    return None


@dataclass(slots=True)
class StateChange:
    """A change of one model's state at ``version``: what an outbox may merge with the next
    change of the same model when its socket falls behind."""

    model: str
    slots: dict[str, Slot]
    version: int
    _message: Outgoing | None = None

    @property
    def message(self) -> Outgoing:
        if self._message is None:
            self._message = state_message("update", self.model, self.slots,
                                          {"version": self.version})
        return self._message

    def then(self, later: StateChange) -> StateChange:
        """This change followed by ``later``: the latest value of each key, ``later``'s version."""
        return StateChange(self.model, {**self.slots, **later.slots}, later.version)


def state_parts(slots: dict[str, Slot]) -> tuple[str, list[Path], list[Buffer]]:
    """Assemble the JSON text, buffer paths and buffers of a state made of slots."""
    paths: list[Path] = []
    buffers: list[Buffer] = []
    items = []
    for key, slot in slots.items():
        items.append(f"{encode_basestring(key)}:{slot.json}")
        for path in slot.paths:
            paths.append([key, *path])
        buffers.extend(slot.buffers)
    return "{" + ",".join(items) + "}", paths, buffers


@dataclass(slots=True)
class Outgoing:
    """A message ready for the socket: a header text frame, then one binary frame per buffer."""

    header: str
    buffers: list[Buffer] = field(default_factory=list)
    kind: str = ""

    @property
    def nbytes(self) -> int:
        return len(self.header) + sum(b.nbytes for b in self.buffers)


def _head(kind: str, model: str | None, body: str) -> str:
    model_part = f',"model":{encode_basestring(model)}' if model is not None else ""
    return f'{{"type":"{kind}"{model_part}{body}}}'


def _lengths(buffers: list[Buffer]) -> str:
    return "[" + ",".join(str(b.nbytes) for b in buffers) + "]"


def state_message(kind: str, model: str, slots: dict[str, Slot],
                  extra: dict[str, Any] | None = None) -> Outgoing:
    """An ``open``, ``update`` or ``ack`` message carrying a (partial) state."""
    text, paths, buffers = state_parts(slots)
    more = "".join(f",{encode_basestring(k)}:{_field_json(v)}" for k, v in (extra or {}).items())
    path_text = to_json(paths) if paths else "[]"
    body = f',"state":{text},"buffer_paths":{path_text},"buffers":{_lengths(buffers)}{more}'
    return Outgoing(_head(kind, model, body), buffers, kind)


def _field_json(value: Any) -> str:
    # versions and sequence numbers are ints: skip the JSON encoder (a 100,000-set loop notices)
    return int.__repr__(value) if type(value) is int else to_json(value)


def custom_message(model: str, content: Any, buffers: list[Any]) -> Outgoing:
    """A custom message; ``buffers`` may be any buffer-protocol values (bytes, numpy, ...)."""
    views = [_as_view(b) for b in buffers]
    body = f',"content":{to_json(content)},"buffers":{_lengths(views)}'
    return Outgoing(_head("custom", model, body), views, "custom")


def _as_view(value: Any) -> Buffer:
    view = as_buffer(value)
    if view is None:
        raise TypeError(f"a message buffer must be binary, not {type(value).__name__}")
    return view


def simple_message(kind: str, model: str | None = None, **fields: Any) -> Outgoing:
    body = "".join(f",{json.dumps(k)}:{to_json(v)}" for k, v in fields.items())
    return Outgoing(_head(kind, model, body), [], kind)
