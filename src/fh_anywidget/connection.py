"""One page socket: mirrors the models its pages were granted, applies what the browser sends.

Outgoing traffic goes through an outbox drained by a single writer task, so frames of one message
are never interleaved and models may change from any thread. Pending state updates of one model
coalesce into one message until it is written; other messages keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .codec import iter_refs, put_buffers
from .models import ModelRecord, ModelRegistry
from .wire import (
    CLOSE_TOO_SLOW,
    FRAME_CHUNK,
    FrameAssembler,
    Inbound,
    MessageError,
    Outgoing,
    ProtocolError,
    Slot,
    simple_message,
    state_message,
)

if TYPE_CHECKING:
    from .pages import Page, PageTable

log = logging.getLogger("fh_anywidget")
browser_log = logging.getLogger("fh_anywidget.browser")


@dataclass(slots=True)
class _Update:
    model_id: str
    slots: dict[str, Slot]


@dataclass(slots=True)
class _Open:
    token: str
    model_ids: list[str]


@dataclass(slots=True)
class _Message:
    model_id: str | None
    message: Outgoing


class _Waker:
    """Sets many connections' wake events with one loop callback.

    A change to a widget shown on a thousand pages wakes a thousand writers; one callback (and,
    from another thread, one self-pipe write) for all of them instead of one each.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self._events: list[asyncio.Event] = []
        self._lock = threading.Lock()

    def wake(self, event: asyncio.Event) -> None:
        with self._lock:
            self._events.append(event)
            if len(self._events) > 1:
                return  # a callback is already on its way
        with contextlib.suppress(RuntimeError):  # loop closed: the connections are gone anyway
            if threading.get_ident() == self.thread:
                self.loop.call_soon(self._run)
            else:
                self.loop.call_soon_threadsafe(self._run)

    def _run(self) -> None:
        with self._lock:
            events, self._events = self._events, []
        for event in events:
            event.set()


_wakers: dict[asyncio.AbstractEventLoop, _Waker] = {}


def _waker_for(loop: asyncio.AbstractEventLoop) -> _Waker:
    waker = _wakers.get(loop)
    if waker is None or waker.loop is not loop:
        for old in [k for k in _wakers if k.is_closed()]:
            del _wakers[old]
        waker = _wakers[loop] = _Waker(loop)
    return waker


@dataclass
class ConnectionLimits:
    max_payload: int = 512 * 1024 * 1024
    #: bytes of not-coalescable messages a client may fall behind by before it is dropped
    max_backlog: int = 256 * 1024 * 1024


@dataclass
class Connection:
    websocket: WebSocket
    registry: ModelRegistry
    pages_table: PageTable
    identity: str | None
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)

    def __post_init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._waker = _waker_for(self.loop)
        self.pages: list[Page] = []
        self.open_models: set[str] = set()
        self.views: dict[str, int] = {}
        self._outbox: deque[_Update | _Open | _Message] = deque()
        self._pending: dict[str, _Update] = {}
        self._backlog = 0
        self._lock = threading.Lock()
        self._wake = asyncio.Event()
        self._wake_scheduled = False
        self._closing: ProtocolError | None = None
        self._writer_task: asyncio.Task | None = None
        self._close_task: asyncio.Task | None = None
        # bytes of browser messages handed to worker threads and not yet applied
        self._inbound = 0
        self._inbound_drained = asyncio.Event()

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    # ------------------------------------------------------------ Subscriber (any thread)

    def send_update(self, model_id: str, slots: dict[str, Slot]) -> None:
        with self._lock:
            if self._closing is not None:
                return
            pending = self._pending.get(model_id)
            if pending is not None:
                pending.slots.update(slots)  # coalesce: only the latest value of a key matters
                return
            item = self._pending[model_id] = _Update(model_id, dict(slots))
            self._outbox.append(item)
        self._schedule_wake()

    def send(self, model_id: str | None, message: Outgoing) -> None:
        # Only custom messages count against the backlog: everything else is state (resent on
        # reconnect) or tiny. One message of any size may always wait; a second one over the
        # bound means the client is not keeping up, and it is dropped rather than buffered.
        counted = message.nbytes if message.kind == "custom" else 0
        with self._lock:
            if self._closing is not None:
                return  # doomed: the client resyncs from state when it reconnects
            if model_id is not None:
                self._pending.pop(model_id, None)  # later updates must not overtake this message
            over = bool(counted and self._backlog
                        and self._backlog + counted > self.limits.max_backlog)
            if over:
                self._closing = ProtocolError(
                    f"client fell more than {self.limits.max_backlog} bytes of messages behind",
                    CLOSE_TOO_SLOW)
                self._outbox.clear()
                self._pending.clear()
            else:
                self._outbox.append(_Message(model_id, message))
                self._backlog += counted
        if over:
            self._call_in_loop(self._drop_slow_client)
        else:
            self._schedule_wake()

    def _call_in_loop(self, callback: Callable[[], object]) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: the connection is gone anyway
            self.loop.call_soon_threadsafe(callback)

    def _drop_slow_client(self) -> None:
        """Stop writing (the writer may be stuck on a full socket) and close with the reason."""
        if self._writer_task is not None:
            self._writer_task.cancel()
        assert self._closing is not None
        log.warning("dropping a page socket: %s", self._closing.reason)
        self._close_task = self.loop.create_task(self._close(self._closing))

    async def _close(self, error: ProtocolError) -> None:
        with contextlib.suppress(Exception):  # already closed by the client or the server
            await self.websocket.close(error.code, error.reason)

    def _schedule_wake(self) -> None:
        with self._lock:
            if self._wake_scheduled:
                return
            self._wake_scheduled = True
        self._waker.wake(self._wake)

    # ------------------------------------------------------------ writer task

    async def _writer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                self._wake_scheduled = False
                items = list(self._outbox)
                self._outbox.clear()
                self._pending.clear()
            for item in items:
                if isinstance(item, _Update):
                    await self._open_models(sorted(self._unopened_refs(item.slots)))
                    await self._write(state_message("update", item.model_id, item.slots))
                elif isinstance(item, _Open):
                    await self._open_models(item.model_ids)
                    opened = [m for m in item.model_ids if m in self.open_models]
                    await self._write(simple_message("attached", None, token=item.token,
                                                     models=opened))
                else:
                    if item.message.kind == "custom":
                        with self._lock:
                            self._backlog -= item.message.nbytes
                    if item.message.kind == "close" and item.model_id is not None:
                        self.open_models.discard(item.model_id)
                    await self._write(item.message)

    def _unopened_refs(self, slots: dict[str, Slot]) -> set[str]:
        refs = {ref for slot in slots.values() for ref in slot.refs}
        return refs - self.open_models

    async def _open_models(self, model_ids: list[str]) -> None:
        """Open models (children first) and subscribe, each exactly once per connection."""
        for model_id in self.registry.closure(model_ids):
            if model_id in self.open_models:
                continue
            record = self.registry.get(model_id)
            if record is None:
                continue
            try:
                record.subscribe(self)
            except MessageError:
                continue
            self.open_models.add(model_id)

    async def _write(self, message: Outgoing) -> None:
        await self.websocket.send_text(message.header)
        for buffer in message.buffers:
            # Frames of at most FRAME_CHUNK bytes: the server's socket layer copies each frame
            # while writing it, so big frames would cost big transient copies per connection.
            if buffer.nbytes <= FRAME_CHUNK:
                await self.websocket.send_bytes(buffer)  # type: ignore[arg-type]
                continue
            for at in range(0, buffer.nbytes, FRAME_CHUNK):
                await self.websocket.send_bytes(buffer[at:at + FRAME_CHUNK])  # type: ignore[arg-type]

    # ------------------------------------------------------------ reader

    async def run(self, first_token: str | None) -> None:
        writer = self._writer_task = asyncio.create_task(self._writer())
        assembler = FrameAssembler(self.limits.max_payload)
        try:
            if first_token:
                self._attach(first_token)
            while not writer.done():
                frame = await self.websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                try:
                    if frame.get("text") is not None:
                        inbound = assembler.feed_text(frame["text"])
                    else:
                        inbound = assembler.feed_bytes(frame.get("bytes") or b"")
                    if inbound is not None:
                        self._dispatch(inbound)
                except MessageError as exc:
                    self.reply_error(str(exc), exc.model)
                if self._inbound > self.limits.max_backlog:
                    # Python applies more slowly than the browser sends: stop reading, so the
                    # socket pushes back on the browser instead of this process buffering.
                    await self._inbound_drained.wait()
        except ProtocolError as exc:
            log.warning("closing a page socket: %s", exc.reason)
            await self.websocket.close(exc.code, exc.reason)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            writer.cancel()
            self._teardown()
            if self._close_task is not None:  # may wait on a stalled peer; nothing else does
                await self._close_task

    def _teardown(self) -> None:
        for model_id in list(self.open_models):
            record = self.registry.get(model_id)
            if record is not None:
                record.unsubscribe(self)
        self.open_models.clear()
        for page in self.pages:
            page.detached()

    def reply_error(self, text: str, model_id: str | None = None) -> None:
        fields: dict[str, Any] = {"message": text}
        self.send(None, simple_message("error", model_id, **fields))

    def _attach(self, token: str) -> None:
        page = self.pages_table.get(token)
        if page is not None and page.identity != self.identity:
            log.warning("refused a page token presented by another session")
            page = None
        if page is None:
            self.send(None, simple_message("unknown-page", None, token=token,
                                           message="this page is no longer known to the server"))
            return
        if page in self.pages:
            return
        page.attached()
        self.pages.append(page)
        with self._lock:
            self._outbox.append(_Open(token, list(page.roots)))
        self._schedule_wake()

    def _record(self, inbound: Inbound) -> ModelRecord:
        model_id = inbound.model
        assert model_id is not None
        record = self.registry.get(model_id) if model_id in self.open_models else None
        if record is None:
            log.warning("refused a %s for model %r this socket was not given", inbound.type, model_id)
            raise MessageError(f"no model {model_id!r} on this page", model=model_id)
        return record

    def _dispatch(self, inbound: Inbound) -> None:
        kind = inbound.type
        header = inbound.header
        if kind == "attach":
            self._attach(header["token"])
        elif kind == "update":
            record = self._record(inbound)
            state = header["state"]
            try:
                put_buffers(state, header["buffer_paths"], inbound.buffers)
            except ValueError as exc:
                raise MessageError(f"update: {exc}", model=record.id) from exc
            record.check_writable(state)
            self._check_refs(state, record)
            record.inbox.submit(self._counted(inbound, lambda: self._report(
                record, record.apply_update(state, self))))
        elif kind == "custom":
            record = self._record(inbound)
            content, buffers = header.get("content"), inbound.buffers
            record.inbox.submit(self._counted(inbound, lambda: self._report(
                record, record.apply_custom(content, buffers, self))))
        elif kind == "views":
            self.views[self._record(inbound).id] = header["count"]
        elif kind == "log":
            self._log_browser_error(header)

    def _counted(self, inbound: Inbound, job: Callable[[], None]) -> Callable[[], None]:
        """Wrap a worker job so the reader knows how many inbound bytes still wait on Python."""
        size = sum(b.nbytes for b in inbound.buffers)
        with self._lock:
            self._inbound += size
            self._inbound_drained.clear()

        def run() -> None:
            try:
                job()
            finally:
                with self._lock:
                    self._inbound -= size
                    drained = self._inbound <= self.limits.max_backlog
                if drained:
                    self._call_in_loop(self._inbound_drained.set)

        return run

    def _check_refs(self, state: dict[str, Any], record: ModelRecord) -> None:
        """A browser may only reference models it can already see."""
        foreign = set(iter_refs(state)) - self.open_models  # walks the value, no JSON encoding
        if foreign:
            raise MessageError(f"update references models this page was not given: {sorted(foreign)}",
                               model=record.id)

    def _report(self, record: ModelRecord, errors: list[str]) -> None:
        for text in errors:
            self.reply_error(f"{record.class_name}: {text}", record.id)

    def _log_browser_error(self, header: dict[str, Any]) -> None:
        def text(key: str) -> str:
            value = header.get(key)
            return str(value)[:4000] if value is not None else "?"

        browser_log.error("widget %s (model %s) failed in %s: %s\n%s", text("widget"), text("model"),
                          text("phase"), text("message"), text("stack"))
