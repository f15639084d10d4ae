"""The page socket's protocol (docs/protocol.md is the normative description).

Every message is one text frame holding a JSON header, followed by the binary frames of the
buffers the header declares (``"buffers": [byte lengths]``). A buffer may be split over several
binary frames (so a sender can stay under a frame limit); an empty buffer is one empty frame.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from .codec import Buffer, Path, as_buffer, buffers_equal, iter_refs, split_buffers, to_json

PROTOCOL_VERSION = 1

# Close codes (RFC 6455 and the 4000-4999 private range).
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED = 1003
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_UNKNOWN_PAGE = 4404
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
    """A well-framed message that cannot be applied: answered with an error, socket survives."""

    def __init__(self, message: str, *, model: str | None = None, ref: Any = None,
                 seq: int | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.ref = ref
        self.seq = seq  # the refused message's sequence number, if it had one


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


def state_parts(slots: dict[str, Slot]) -> tuple[str, list[Path], list[Buffer]]:
    """Assemble the JSON text, buffer paths and buffers of a state made of slots."""
    paths: list[Path] = []
    buffers: list[Buffer] = []
    items = []
    for key, slot in slots.items():
        items.append(f"{json.dumps(key)}:{slot.json}")
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
    model_part = f',"model":{json.dumps(model)}' if model is not None else ""
    return f'{{"type":"{kind}"{model_part}{body}}}'


def _lengths(buffers: list[Buffer]) -> str:
    return "[" + ",".join(str(b.nbytes) for b in buffers) + "]"


def state_message(kind: str, model: str, slots: dict[str, Slot], extra: dict | None = None) -> Outgoing:
    """An ``open`` or ``update`` message carrying a (partial) state."""
    text, paths, buffers = state_parts(slots)
    more = "".join(f",{json.dumps(k)}:{to_json(v)}" for k, v in (extra or {}).items())
    body = f',"state":{text},"buffer_paths":{to_json(paths)},"buffers":{_lengths(buffers)}{more}'
    return Outgoing(_head(kind, model, body), buffers, kind)


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


# --------------------------------------------------------------------------- incoming

INBOUND_TYPES = frozenset({"attach", "detach", "update", "custom", "views", "log"})
_MODEL_ID_MAX = 128


@dataclass(slots=True)
class Inbound:
    """A complete message from a browser, header validated, buffers assembled."""

    type: str
    header: dict[str, Any]
    buffers: list[Buffer]

    @property
    def model(self) -> str | None:
        return self.header.get("model")


def _are_lengths(lengths: Any) -> bool:
    return isinstance(lengths, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lengths)


def _check_path(path: Any, where: str) -> None:
    if not isinstance(path, list) or not path or not all(
        isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool) and p >= 0)
        for p in path
    ):
        raise MessageError(f"{where}: each buffer path must be a non-empty list of keys/indices")


def validate_header(header: Any, max_bytes: int) -> dict[str, Any]:
    """Check a header's shape for its type; raise MessageError describing the first problem."""
    if not isinstance(header, dict):
        raise MessageError("message header must be a JSON object")
    kind = header.get("type")
    if kind not in INBOUND_TYPES:
        raise MessageError(f"unknown message type {kind!r}; expected one of {sorted(INBOUND_TYPES)}")
    lengths = header.setdefault("buffers", [])
    if not _are_lengths(lengths):
        raise MessageError(f"{kind}: 'buffers' must be a list of byte lengths")
    if sum(lengths) > max_bytes:
        model = header.get("model")
        raise MessageError(
            f"{kind}: payload of {sum(lengths)} bytes is over this host's limit of "
            f"{max_bytes} bytes",
            model=model if isinstance(model, str) and len(model) <= _MODEL_ID_MAX else None)
    if kind in ("attach", "detach"):
        if not isinstance(header.get("token"), str) or not header["token"]:
            raise MessageError(f"{kind}: 'token' must be a non-empty string")
        return header
    if kind == "log":
        return header
    model = header.get("model")
    if not isinstance(model, str) or not 0 < len(model) <= _MODEL_ID_MAX:
        raise MessageError(f"{kind}: 'model' must be a model id string")
    seq = header.get("seq")
    if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool)
                            or not 0 < seq < 2**53):
        raise MessageError(f"{kind}: 'seq' must be a positive integer", model=model)
    if kind == "update":
        if not isinstance(header.get("state"), dict):
            raise MessageError("update: 'state' must be an object", model=model)
        paths = header.setdefault("buffer_paths", [])
        if not isinstance(paths, list) or len(paths) != len(lengths):
            raise MessageError("update: 'buffer_paths' must match 'buffers' one to one", model=model)
        for path in paths:
            _check_path(path, "update")
    elif kind == "views":
        count = header.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 1_000_000:
            raise MessageError("views: 'count' must be a non-negative integer", model=model)
    return header


class FrameAssembler:
    """Turns the socket's frames back into messages: header text, then declared buffers."""

    def __init__(self, max_payload: int, max_header: int = 64 * 1024 * 1024) -> None:
        self.max_payload = max_payload
        self.max_header = max_header
        self._header: dict[str, Any] | None = None
        self._error: MessageError | None = None
        self._lengths: list[int] = []
        self._buffers: list[Buffer] = []
        self._current: bytearray | None = None
        self._filled = 0

    @property
    def idle(self) -> bool:
        return self._header is None

    def feed_text(self, text: str) -> Inbound | None:
        if self._header is not None:
            raise ProtocolError("text frame while buffers of the previous message were expected")
        if len(text) > self.max_header:
            raise ProtocolError("message header is too large", CLOSE_TOO_BIG)
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise MessageError(f"message header is not valid JSON: {exc}") from exc
        lengths = raw.get("buffers", []) if isinstance(raw, dict) else []
        try:
            header = validate_header(raw, self.max_payload)
        except MessageError as exc:
            # A header we refuse may still announce buffers: skip them so framing stays aligned.
            if lengths and _are_lengths(lengths):
                self._begin({"type": "skipped"}, lengths, exc)
                return None
            raise
        return self._begin(header, header["buffers"], None)

    def _begin(self, header: dict, lengths: list[int], error: MessageError | None) -> Inbound | None:
        self._header, self._lengths, self._error = header, list(lengths), error
        self._buffers, self._current, self._filled = [], None, 0
        return self._finish_if_done()

    def feed_bytes(self, data: bytes) -> Inbound | None:
        if self._header is None:
            raise ProtocolError("binary frame without a header announcing it", CLOSE_UNSUPPORTED)
        index = len(self._buffers)
        want = self._lengths[index]
        if self._filled + len(data) > want:
            raise ProtocolError(f"buffer {index} is longer than the {want} bytes its header declared")
        if self._error is not None:  # discarding a refused message's payload
            self._filled += len(data)
        elif self._filled == 0 and len(data) == want:
            self._buffers.append(memoryview(data))  # whole buffer in one frame: no copy
            return self._finish_if_done()
        else:
            if self._current is None:
                self._current = bytearray(want)
            self._current[self._filled:self._filled + len(data)] = data
            self._filled += len(data)
        if self._filled == want:
            self._buffers.append(memoryview(self._current) if self._current is not None
                                 else memoryview(b""))
            self._current, self._filled = None, 0
        return self._finish_if_done()

    def _finish_if_done(self) -> Inbound | None:
        if len(self._buffers) < len(self._lengths):
            return None
        header, error, buffers = self._header, self._error, self._buffers
        self._header, self._error, self._buffers, self._lengths = None, None, [], []
        if error is not None:
            raise error
        assert header is not None
        return Inbound(header["type"], header, buffers)
