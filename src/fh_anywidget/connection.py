"""One page socket: mirrors the models its pages were granted, applies what the browser sends.

Outgoing traffic goes through an outbox drained by a single writer task, so frames of one message
are never interleaved and models may change from any thread. Pending state updates of one model
coalesce into one message until it is written; other messages keep their order; a client that
falls too far behind on custom messages is dropped (4408) and resyncs when it reconnects.

Incoming frames are assembled and validated (wire.py), checked against what this socket may see,
and handed to their model's serial queue at most once per sequence number (clients.py), each
acknowledged once applied. When Python falls behind, the socket is not read (backpressure).
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

from .clients import Client
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
    #: browser messages taken in but not yet applied; past it the socket is not read (backpressure)
    max_inflight: int = 256
    #: browser error reports a socket may write to the server log
    max_log: int = 100


@dataclass
class Connection:
    websocket: WebSocket
    registry: ModelRegistry
    pages_table: PageTable
    identity: str | None
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    client: Client | None = None  # delivery state kept across reconnects (clients.py)

    def __post_init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._waker = _waker_for(self.loop)
        self.pages: list[Page] = []
        self.open_models: set[str] = set()
        self.views: dict[str, int] = {}
        self._outbox: deque[_Update | _Message] = deque()
        self._pending: dict[str, _Update] = {}
        self._backlog = 0
        self._lock = threading.Lock()
        self._wake = asyncio.Event()
        self._wake_scheduled = False
        self._closing: ProtocolError | None = None
        self._inflight = 0  # browser messages handed to models' inboxes, not yet applied
        self._inflight_bytes = 0  # ... and the bytes of their buffers
        self._drained = asyncio.Event()
        self._logged = 0
        self._writer_task: asyncio.Task | None = None
        self._close_task: asyncio.Task | None = None

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
        try:
            await self._write_forever()
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:  # the client went away
            log.debug("page socket writer stopped: %r", exc)

    async def _write_forever(self) -> None:
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
                    refs = sorted(self._unopened_refs(item.slots))
                    if refs:  # children Python just referenced: open them before the parent
                        self._open_models(refs)
                        await self._flush_opens()
                    await self._write(state_message("update", item.model_id, item.slots))
                else:
                    if item.message.kind == "custom":
                        with self._lock:
                            self._backlog -= item.message.nbytes
                    if item.message.kind == "close" and item.model_id is not None:
                        self.open_models.discard(item.model_id)
                        self.views.pop(item.model_id, None)
                    await self._write(item.message)

    def _unopened_refs(self, slots: dict[str, Slot]) -> set[str]:
        refs = {ref for slot in slots.values() for ref in slot.refs}
        return refs - self.open_models

    async def _flush_opens(self) -> None:
        """Write the open messages queued by ``_open_models`` ahead of everything else."""
        with self._lock:
            opens = [i for i in self._outbox
                     if isinstance(i, _Message) and i.message.kind == "open"]
            for item in opens:
                self._outbox.remove(item)  # (opens do not count against the backlog)
        for item in opens:
            await self._write(item.message)

    def _open_models(self, model_ids: list[str]) -> None:
        """Open models (children first) and subscribe, each exactly once per connection.

        Runs on the loop: the open messages are queued at once, and the models count as given
        to this socket from now on, so a message about them read next is accepted.
        """
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
        ahead: asyncio.Future | None = None  # a frame read while waiting for capacity
        if self.client is not None:
            self.client.connected(self)
        try:
            if first_token:
                self._attach(first_token)
            while not writer.done():
                frame = await (ahead if ahead is not None else self.websocket.receive())
                ahead = None
                if frame["type"] == "websocket.disconnect":
                    break
                try:
                    if frame.get("text") is not None:
                        inbound = assembler.feed_text(frame["text"])
                    else:
                        inbound = assembler.feed_bytes(frame.get("bytes") or b"")
                    if inbound is not None:
                        self._dispatch_safely(inbound)
                except MessageError as exc:
                    self.reply_error(str(exc), exc.model, exc.seq)
                if self._over_capacity():
                    ahead = await self._wait_for_capacity()
        except ProtocolError as exc:
            log.warning("closing a page socket: %s", exc.reason)
            await self.websocket.close(exc.code, exc.reason)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            writer.cancel()
            if ahead is not None:
                ahead.cancel()
            self._teardown()
            if self.client is not None:
                self.client.disconnected(self)
            if self._close_task is not None:  # may wait on a stalled peer; nothing else does
                await self._close_task

    def _over_capacity(self) -> bool:
        return (self._inflight >= self.limits.max_inflight
                or self._inflight_bytes > self.limits.max_backlog)

    async def _wait_for_capacity(self) -> asyncio.Future:
        """Backpressure: Python applies more slowly than the browser sends (a slow model), so
        stop reading until it catches up, letting the socket push back on the browser instead of
        this process buffering. At most one frame is read ahead, which also tells us if the
        client leaves meanwhile (its page must not stay attached behind a stuck model)."""
        ahead = asyncio.ensure_future(self.websocket.receive())
        while self._over_capacity():
            if ahead.done() and ahead.result()["type"] == "websocket.disconnect":
                break
            self._drained.clear()
            drained = asyncio.ensure_future(self._drained.wait())
            waiting = {drained} if ahead.done() else {drained, ahead}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            drained.cancel()
        return ahead

    def _teardown(self) -> None:
        for model_id in list(self.open_models):
            record = self.registry.get(model_id)
            if record is not None:
                record.unsubscribe(self)
        self.open_models.clear()
        for page in self.pages:
            page.detached(self)
        self.pages.clear()

    def reply_error(self, text: str, model_id: str | None = None, seq: int | None = None) -> None:
        fields: dict[str, Any] = {"message": text}
        if seq is not None:  # the browser stops resending a message that was refused
            fields["seq"] = seq
        self.send(None, simple_message("error", model_id, **fields))

    def send_ack(self, record: ModelRecord, seq: int, sent: dict[str, Any]) -> None:
        """Acknowledge an applied message, with the server's value of each key it wrote where
        that differs from what the browser sent (never echoing the writer's own bytes back)."""
        with record.lock:  # no Python change can slip between reading and queueing the values
            slots = {k: slot for k, value in sent.items()
                     if (slot := record.slots.get(k)) is not None and not slot.same_as(Slot.of(value))}
            self.send(record.id, state_message("ack", record.id, slots, {"seq": seq}))

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
        page.attached(self)
        self.pages.append(page)
        self._open_models(page.roots)
        opened = [m for m in page.roots if m in self.open_models]
        self.send(None, simple_message("attached", None, token=token, models=opened))

    def _detach(self, token: str) -> None:
        """The browser no longer shows anything of this page: stop holding it. The page is
        retired after the grace period (closing the models it owns) unless something re-attaches
        it; models it shared with the socket's other pages stay open."""
        page = next((p for p in self.pages if p.token == token), None)
        if page is None:
            return
        self.pages.remove(page)
        page.detached(self)

    def shows(self, model_id: str) -> bool:
        """Whether a page this socket holds shows the model (or a model that references it)."""
        roots = [root for page in list(self.pages) for root in list(page.roots)]
        return model_id in self.registry.closure(roots)

    def _record(self, inbound: Inbound) -> ModelRecord:
        model_id = inbound.model
        assert model_id is not None
        record = self.registry.get(model_id) if model_id in self.open_models else None
        if record is None:
            log.warning("refused a %s for model %r this socket was not given", inbound.type, model_id)
            raise MessageError(f"no model {model_id!r} on this page", model=model_id)
        return record

    def _dispatch_safely(self, inbound: Inbound) -> None:
        seq = inbound.header.get("seq") if inbound.type in ("update", "custom") else None
        try:
            self._dispatch(inbound)
        except MessageError as exc:
            exc.seq = seq
            record = self.registry.get(exc.model) if exc.model in self.open_models else None
            if record is not None and seq is not None and inbound.type == "update":
                # refused write to a model it may see: the writer snaps back to the server's value
                self.reply_error(str(exc), exc.model)
                self.send_ack(record, seq, inbound.header["state"])
                return
            raise
        except Exception as exc:  # a bug or a hostile value we did not foresee: refuse, survive
            log.exception("error handling a browser %s message", inbound.type)
            raise MessageError(f"{inbound.type}: could not be handled ({type(exc).__name__})",
                               model=inbound.model if isinstance(inbound.model, str) else None,
                               seq=seq) from exc

    def _dispatch(self, inbound: Inbound) -> None:
        kind = inbound.type
        header = inbound.header
        if kind == "attach":
            self._attach(header["token"])
        elif kind == "detach":
            self._detach(header["token"])
        elif kind == "update":
            record = self._record(inbound)
            state = header["state"]
            try:
                put_buffers(state, header["buffer_paths"], inbound.buffers)
            except ValueError as exc:
                raise MessageError(f"update: {exc}", model=record.id) from exc
            record.check_writable(state)
            self._check_refs(state, record)
            self._submit(record, header.get("seq"), state, inbound,
                         lambda: self._report(record, record.apply_update(state, self)))
        elif kind == "custom":
            record = self._record(inbound)
            content, buffers = header.get("content"), inbound.buffers
            self._submit(record, header.get("seq"), {}, inbound,
                         lambda: self._report(record, record.apply_custom(content, buffers, self)))
        elif kind == "views":
            self.views[self._record(inbound).id] = header["count"]
        elif kind == "log":
            self._log_browser_error(header)

    def _submit(self, record: ModelRecord, seq: int | None, sent: dict[str, Any], inbound: Inbound,
                apply: Callable[[], None]) -> None:
        """Queue a browser message on its model's inbox, at most once per ``seq``."""
        client = self.client if seq is not None else None
        if client is not None and not client.take(seq):  # type: ignore[arg-type]
            if not client.is_running(seq):  # type: ignore[arg-type]
                self.send_ack(record, seq, sent)  # type: ignore[arg-type]
            return  # still being applied: its acknowledgement will come when it is done
        size = sum(b.nbytes for b in inbound.buffers)

        def job() -> None:
            try:
                apply()
            finally:
                if seq is not None:  # acknowledged on whichever socket now carries the client
                    current = client.done(seq) if client is not None else self
                    if current is not None:
                        current.send_ack(record, seq, sent)
                self._call_in_loop(lambda: self._job_done(size))

        self._inflight += 1
        self._inflight_bytes += size
        record.inbox.submit(job)

    def _job_done(self, size: int) -> None:
        self._inflight -= 1
        self._inflight_bytes -= size
        self._drained.set()

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
        self._logged += 1
        if self._logged > self.limits.max_log:
            if self._logged == self.limits.max_log + 1:
                log.warning("a page socket sent over %d error reports; ignoring the rest",
                            self.limits.max_log)
            return

        def text(key: str) -> str:
            value = header.get(key)
            return str(value)[:4000] if value is not None else "?"

        browser_log.error("widget %s (model %s) failed in %s: %s\n%s", text("widget"), text("model"),
                          text("phase"), text("message"), text("stack"))
