"""The page socket's protocol, inbound side: headers parsed and validated, buffers assembled.

A browser message is a JSON header text frame, then the binary frames of the buffers it declares
(docs/protocol.md, "Framing"). Nothing here trusts a declared length: a header is validated
(shape, ``max_payload``) before any of its bytes are taken, the connection then decides whether
to keep or discard them, and kept bytes are held only as they arrive.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from typing import Any

from .codec import Buffer
from .logs import one_line
from .wire import CLOSE_UNSUPPORTED, MessageError, ProtocolError

INBOUND_TYPES = frozenset({"attach", "detach", "update", "custom", "log", "transport"})
_MODEL_ID_MAX = 128
_TOKEN_MAX = 256
#: Buffers assembled from several frames and bigger than this are held in an anonymous memory
#: map, whose pages are committed only as bytes arrive (and which is copied into only once).
_MAPPED_FROM = 1024 * 1024


@dataclass(slots=True)
class InboundMessage:
    """A complete message from a browser: header validated, buffers assembled."""

    type: str
    header: dict[str, Any]
    buffers: list[Buffer]

    @property
    def model(self) -> str | None:
        return self.header.get("model")

    @property
    def seq(self) -> int | None:
        return self.header.get("seq") if self.type in ("update", "custom") else None

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.buffers)


def declared_lengths(raw: Any) -> list[int]:
    """The buffer lengths a (possibly refused) header announces, so their frames can be
    skipped; empty if they are not a valid list."""
    lengths = raw.get("buffers", []) if isinstance(raw, dict) else []
    return lengths if _are_lengths(lengths) else []


def _are_lengths(lengths: Any) -> bool:
    return isinstance(lengths, list) and len(lengths) <= 10_000 and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lengths)


def _check_path(path: Any, where: str) -> None:
    if not isinstance(path, list) or not path or len(path) > 64 or not all(
        isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool) and p >= 0)
        for p in path
    ):
        raise MessageError(f"{where}: each buffer path must be a non-empty list of keys/indices")


def _valid_seq(seq: Any) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq < 2**53


def validate_header(header: Any, max_payload: int) -> dict[str, Any]:
    """Check a header's shape for its type; raise MessageError describing the first problem."""
    if not isinstance(header, dict):
        raise MessageError("message header must be a JSON object")
    kind = header.get("type")
    if kind not in INBOUND_TYPES:
        raise MessageError(f"unknown message type {one_line(kind, 40)!r}; expected one of "
                           f"{sorted(INBOUND_TYPES)}")
    model = header.get("model")
    model = model if isinstance(model, str) and 0 < len(model) <= _MODEL_ID_MAX else None
    seq = header.get("seq") if kind in ("update", "custom") else None
    seq = seq if _valid_seq(seq) else None
    lengths = header.setdefault("buffers", [])
    if not _are_lengths(lengths):
        raise MessageError(f"{kind}: 'buffers' must be a list of byte lengths", model=model, seq=seq)
    if sum(lengths) > max_payload:
        raise MessageError(f"{kind}: payload of {sum(lengths)} bytes is over this host's limit of "
                           f"{max_payload} bytes (max_payload)", model=model, seq=seq)
    if kind in ("attach", "detach"):
        token = header.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= _TOKEN_MAX:
            raise MessageError(f"{kind}: 'token' must be a non-empty string")
        return header
    if kind == "log":
        return header
    if kind == "transport":
        if not isinstance(header.get("extensions"), str):
            raise MessageError("transport: 'extensions' must be a string")
        return header
    if model is None:
        raise MessageError(f"{kind}: 'model' must be a model id string", seq=seq)
    if "seq" in header and seq is None:
        raise MessageError(f"{kind}: 'seq' must be a positive integer", model=model)
    if kind == "update":
        if not isinstance(header.get("state"), dict):
            raise MessageError("update: 'state' must be an object", model=model, seq=seq)
        paths = header.setdefault("buffer_paths", [])
        if not isinstance(paths, list) or len(paths) != len(lengths):
            raise MessageError("update: 'buffer_paths' must match 'buffers' one to one",
                               model=model, seq=seq)
        for path in paths:
            try:
                _check_path(path, "update")
            except MessageError as exc:
                exc.model, exc.seq = model, seq
                raise
    return header


class BufferAssembler:
    """Collects the binary frames of one message's buffers, in order, as they arrive.

    A buffer that arrives whole in one frame is used as is (no copy); one split over frames is
    copied into place frame by frame. Bytes of a refused message are counted and dropped.
    """

    def __init__(self) -> None:
        self._lengths: list[int] = []
        self._buffers: list[Buffer] = []
        self._current: memoryview | None = None
        self._filled = 0
        self._discard = False

    @property
    def busy(self) -> bool:
        """Whether buffers are still owed by the message being read."""
        return len(self._buffers) < len(self._lengths)

    def expect(self, lengths: list[int], *, discard: bool = False) -> None:
        self._lengths, self._buffers, self._discard = list(lengths), [], discard
        self._current, self._filled = None, 0

    def feed(self, data: bytes) -> list[Buffer] | None:
        """Take one binary frame; return the buffers once the last one is complete."""
        if not self.busy:
            raise ProtocolError("binary frame without a header announcing it", CLOSE_UNSUPPORTED)
        index = len(self._buffers)
        want = self._lengths[index]
        if self._filled + len(data) > want:
            raise ProtocolError(f"buffer {index} is longer than the {want} bytes its header declared")
        if self._discard:
            self._filled += len(data)
        elif self._filled == 0 and len(data) == want:
            self._buffers.append(memoryview(data))  # whole buffer in one frame: no copy
            return self._done_if_complete()
        else:
            if self._current is None:
                self._current = _storage(want)
            self._current[self._filled:self._filled + len(data)] = data
            self._filled += len(data)
        if self._filled == want:
            if self._discard:
                self._buffers.append(memoryview(b""))
            else:
                assert self._current is not None
                self._buffers.append(self._current)
            self._current, self._filled = None, 0
        return self._done_if_complete()

    def _done_if_complete(self) -> list[Buffer] | None:
        if self.busy:
            return None
        buffers, self._buffers, self._lengths = self._buffers, [], []
        return None if self._discard else buffers


def _storage(size: int) -> memoryview:
    if size >= _MAPPED_FROM:
        return memoryview(mmap.mmap(-1, size))
    return memoryview(bytearray(size))
