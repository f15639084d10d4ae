"""One page socket: reads frames into messages, writes its outbox, and holds its pages' grants.

Two tasks per socket, both on the event loop. The writer drains the :class:`~.outbox.Outbox`
(one writer, so frames of one message are never interleaved; models may queue from any thread).
The reader turns frames into messages (``framing.py``), admits a message's buffers only once its
model is granted and the bytes are reserved (``budget.py``), and hands messages to the
:class:`~.dispatch.Dispatcher`. When Python falls behind, the socket is not read (backpressure).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .budget import InboundBudget
from .clients import Client
from .dispatch import Dispatcher
from .framing import BufferAssembler, InboundMessage, declared_lengths, validate_header
from .grants import Grants
from .logs import LogLimiter
from .models import ModelRegistry
from .outbox import Entry, Outbox, Overflow
from .serial import Scheduler
from .waker import waker_for
from .wire import (
    CLOSE_TOO_SLOW,
    FRAME_CHUNK,
    PROTOCOL_VERSION,
    MessageError,
    Outgoing,
    ProtocolError,
    StateChange,
    simple_message,
)

if TYPE_CHECKING:
    from .pages import Page, PageTable

log = logging.getLogger("fh_anywidget")

#: Headers longer than this are decoded on a worker thread, so the loop keeps serving others.
_DECODE_OFF_LOOP = 64 * 1024


@dataclass
class ConnectionLimits:
    #: largest total of buffers in one browser message
    max_payload: int = 512 * 1024 * 1024
    #: largest JSON header of a browser message, in characters
    max_message: int = 8 * 1024 * 1024
    #: bytes a client may fall behind on before it is dropped (4408); it then resyncs
    max_backlog: int = 256 * 1024 * 1024
    #: bytes behind after which each model's queued state changes are merged
    merge_after: int = 1024 * 1024
    #: messages behind after which likewise (a storm of small changes is behind in count first)
    merge_after_messages: int = 1000
    #: browser messages taken in but not yet applied; past it the socket is not read
    max_inflight: int = 256
    #: pages one socket may hold; attaching one more lets the oldest go
    max_pages_per_socket: int = 64


@dataclass
class Shared:
    """What every page socket of one host shares."""

    registry: ModelRegistry
    pages: PageTable
    limits: ConnectionLimits
    scheduler: Scheduler
    budget: InboundBudget
    #: browser error reports and refusals worth a log line, per identity and in all (logs.py)
    reports: LogLimiter = field(default_factory=LogLimiter)
    refusals: LogLimiter = field(default_factory=LogLimiter)
    #: whether the "permessage-deflate is on" warning was logged (once per host)
    deflate_warned: bool = False


class ConnectionState(enum.Enum):
    OPEN = "open"  # reading and writing
    DROPPING = "dropping"  # dropped by the server (too slow, logged out): nothing more is queued
    CLOSED = "closed"  # torn down


class Connection:
    def __init__(self, websocket: WebSocket, shared: Shared, identity: str | None,
                 client: Client | None = None) -> None:
        self.websocket = websocket
        self.shared = shared
        self.registry = shared.registry
        self.pages_table = shared.pages
        self.identity = identity
        self.limits = limits = shared.limits
        self.scheduler = shared.scheduler
        self.budget = shared.budget
        self.client = client  # delivery state kept across reconnects (clients.py)
        #: whose turn this socket's messages take on the workers (serial.py): its session, or
        #: the socket itself when anonymous
        self.lane: Hashable = identity if identity is not None else id(self)
        self.state = ConnectionState.OPEN
        self.loop = asyncio.get_running_loop()
        self.grants: Grants[Page] = Grants()
        self.outbox = Outbox(limits.max_backlog, limits.merge_after, limits.merge_after_messages)
        self.dispatcher = Dispatcher(self)
        self._waker = waker_for(self.loop)
        self._wake = asyncio.Event()
        self._inflight = 0  # browser messages queued on models, not yet applied
        self._drained = asyncio.Event()
        self._drop_reason: ProtocolError | None = None
        self._writer_task: asyncio.Task[None] | None = None

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"<Connection {self.state.value} pages={len(self.grants.pages)} models={len(self.grants)}>"

    # ------------------------------------------------------------ Subscriber (any thread)

    def deliver(self, model_id: str | None, message: Outgoing, change: StateChange | None = None) -> None:
        if self.state is not ConnectionState.OPEN:
            return  # doomed: the client resyncs from state when it reconnects
        try:
            first = self.outbox.put(model_id, message, change)
        except Overflow as exc:
            self.drop(ProtocolError(str(exc), CLOSE_TOO_SLOW))
            return
        if first:
            self._waker.wake(self._wake)

    def send(self, message: Outgoing) -> None:
        """Queue a page-level message (no model)."""
        self.deliver(None, message)

    def reply_error(self, error: MessageError) -> None:
        fields: dict[str, Any] = {"message": str(error)}
        if error.seq is not None:  # the browser stops resending a message that was refused
            fields["seq"] = error.seq
        self.deliver(None, simple_message("error", error.model, **fields))

    def drop(self, reason: ProtocolError) -> None:
        """Close the socket with ``reason`` (any thread); it stops taking messages at once."""
        if self.state is not ConnectionState.OPEN:
            return
        self.state = ConnectionState.DROPPING
        self._drop_reason = reason
        self.outbox.clear()
        self._call_in_loop(self._close_dropped)

    def _close_dropped(self) -> None:
        if self._writer_task is not None:  # the writer may be stuck on a full socket
            self._writer_task.cancel()
        assert self._drop_reason is not None
        log.warning("dropping a page socket: %s", self._drop_reason.reason)
        self.loop.create_task(self._close(self._drop_reason))

    async def _close(self, error: ProtocolError) -> None:
        with contextlib.suppress(Exception):  # already closed by the client or the server
            await self.websocket.close(error.code, error.reason)

    def _call_in_loop(self, callback: Callable[[], object]) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: the connection is gone anyway
            self.loop.call_soon_threadsafe(callback)

    # ------------------------------------------------------------ pages and grants (loop)

    def attach_page(self, page: Page) -> None:
        if not self.grants.holds(page.token):
            if len(self.grants.pages) >= self.limits.max_pages_per_socket:
                oldest = self.grants.tokens[0]
                log.warning("a page socket holds more than max_pages_per_socket=%d pages: "
                            "letting its oldest go", self.limits.max_pages_per_socket)
                self.detach_page(oldest)
                self.page_unknown(oldest)
            page.attached(self)
            self._subscribe(self.grants.add_page(page.token, page,
                                                 self.registry.closure(list(page.roots))))
        self.send(simple_message("attached", None, token=page.token,
                                 models=self.grants.through(page.token)))

    def detach_page(self, token: str) -> None:
        page, released = self.grants.remove_page(token)
        if page is None:
            return
        page.detached(self)
        for model_id in released:
            record = self.registry.get(model_id)
            if record is not None and record.unsubscribe(self):
                self.deliver(model_id, simple_message("release", model_id))

    def page_retired(self, page: Page) -> None:
        """The page retired early while this socket held it (any thread)."""
        def forget() -> None:
            if self.grants.holds(page.token):
                self.detach_page(page.token)
                self.page_unknown(page.token)
        self._call_in_loop(forget)

    def page_unknown(self, token: str | None) -> None:
        fields: dict[str, Any] = {"message": "this page is no longer known to the server"}
        if token is not None:
            fields["token"] = token
        self.send(simple_message("unknown-page", None, **fields))

    def _subscribe(self, model_ids: list[str]) -> None:
        """Open newly granted models on this socket (children first), each queued with its
        current state under its own lock."""
        for model_id in model_ids:
            record = self.registry.get(model_id)
            if record is None:
                continue
            try:
                record.subscribe(self)
            except MessageError:  # closed meanwhile
                self.grants.forget(model_id)

    def shows(self, model_id: str) -> bool:
        """Whether a page this socket holds shows the model (or a model that references it)."""
        return self.grants.allows(model_id)

    @property
    def pages(self) -> list[Page]:
        return self.grants.pages

    # ------------------------------------------------------------ writer task

    async def _writer(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                batch = self.outbox.take()
                for entry in batch:
                    await self._write_entry(entry)
                self.outbox.written(*batch)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:  # the client went away
            log.debug("page socket writer stopped: %r", exc)

    async def _write_entry(self, entry: Entry) -> None:
        if entry.change is not None:
            refs = {r for slot in entry.change.slots.values() for r in slot.refs}
            unseen = [r for r in refs if not self.grants.allows(r)]
            if unseen and entry.model is not None:
                # children Python just referenced: granted through the parent's pages, and
                # opened before the parent's update reaches the browser
                new = self.grants.extend(entry.model, self.registry.closure(sorted(unseen)))
                self._subscribe(new)
                for opened in self.outbox.take_opens(set(new)):
                    await self._write(opened.message)
                    self.outbox.written(opened)
        elif entry.message.kind == "close" and entry.model is not None:
            self.grants.forget(entry.model)
        await self._write(entry.message)

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
        self._writer_task = asyncio.create_task(self._writer())
        self.send(simple_message("hello", None, version=PROTOCOL_VERSION,
                                 max_message=self.limits.max_message,
                                 max_payload=self.limits.max_payload))
        if self.client is not None:
            self.client.connected(self)
        reader = _Reader(self)
        try:
            if first_token:
                self.dispatcher.attach(first_token)
            await reader.read_forever()
        except ProtocolError as exc:
            log.warning("closing a page socket: %s", exc.reason)
            with contextlib.suppress(Exception):
                await self.websocket.close(exc.code, exc.reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            reader.abandon()
            self._writer_task.cancel()
            self._teardown()
            if self.client is not None:
                self.client.disconnected(self)

    def job_started(self) -> None:
        self._inflight += 1

    def job_done(self) -> None:
        """A queued message was applied (called on its worker thread)."""
        self._call_in_loop(self._one_less)

    def _one_less(self) -> None:
        self._inflight -= 1
        self._drained.set()

    @property
    def over_capacity(self) -> bool:
        return self._inflight >= self.limits.max_inflight

    async def wait_for_capacity(self) -> None:
        while self.over_capacity and self.state is ConnectionState.OPEN:
            self._drained.clear()
            await self._drained.wait()

    def _teardown(self) -> None:
        if self.state is ConnectionState.OPEN:
            self.state = ConnectionState.CLOSED
        for model_id in self.grants.models():
            record = self.registry.get(model_id)
            if record is not None:
                record.unsubscribe(self)
        for page in self.grants.clear():
            page.detached(self)
        self.outbox.clear()
        self.state = ConnectionState.CLOSED


class _Reader:
    """Frames to messages for one socket, with the checks and reservations in between."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.limits = connection.limits
        self.assembler = BufferAssembler()
        self.header: dict[str, Any] | None = None  # the message whose buffers are arriving
        self.reserved = 0  # bytes reserved for them
        #: a frame read while waiting for capacity
        self.ahead: asyncio.Future[dict[str, Any]] | None = None

    async def read_forever(self) -> None:
        connection = self.connection
        while connection.state is ConnectionState.OPEN:
            frame = await self._receive()
            if frame["type"] == "websocket.disconnect":
                return
            text = frame.get("text")
            if text is not None:
                await self._on_text(text)
            else:
                self._on_bytes(frame.get("bytes") or b"")
            if connection.over_capacity:
                await self._wait_for_capacity()

    async def _receive(self) -> dict[str, Any]:
        if self.ahead is not None:
            ahead, self.ahead = self.ahead, None
            return await ahead
        return dict(await self.connection.websocket.receive())

    async def _wait_for_capacity(self) -> None:
        """Backpressure: Python applies more slowly than the browser sends (a slow model), so
        stop reading until it catches up. One frame is read ahead, which also tells us if the
        client leaves meanwhile (its page must not stay attached behind a stuck model)."""
        connection = self.connection
        self.ahead = asyncio.ensure_future(self._receive_raw())
        capacity = asyncio.ensure_future(connection.wait_for_capacity())
        try:
            done, _ = await asyncio.wait({self.ahead, capacity}, return_when=asyncio.FIRST_COMPLETED)
            if self.ahead in done and self.ahead.result()["type"] == "websocket.disconnect":
                return
            await capacity
        finally:
            capacity.cancel()

    async def _receive_raw(self) -> dict[str, Any]:
        return dict(await self.connection.websocket.receive())

    async def _on_text(self, text: str) -> None:
        if self.assembler.busy:
            raise ProtocolError("text frame while buffers of the previous message were expected")
        connection = self.connection
        raw: Any = None
        try:
            if len(text) > self.limits.max_message:
                raise MessageError(f"message of {len(text)} characters is over this host's limit "
                                   f"of {self.limits.max_message} (max_message)")
            raw = await _decode(text)
            header = validate_header(raw, self.limits.max_payload)
            lengths: list[int] = header["buffers"]
            if lengths:
                await self._admit(header, sum(lengths))
        except MessageError as exc:
            connection.reply_error(exc)
            skipped = declared_lengths(raw)
            if skipped:  # a refused message's buffers are read and dropped: framing stays aligned
                self.assembler.expect(skipped, discard=True)
            return
        if not lengths:
            self._dispatch(InboundMessage(header["type"], header, []), 0)
            return
        self.header = header
        self.assembler.expect(lengths)

    async def _admit(self, header: dict[str, Any], size: int) -> None:
        """A message with buffers: its model must be granted before a byte is kept, and its
        bytes reserved in full (it may wait for room)."""
        connection = self.connection
        seq = header.get("seq") if header["type"] in ("update", "custom") else None
        if header["type"] in ("update", "custom"):
            connection.dispatcher.record_for(header.get("model"), seq)
        if not connection.budget.can_ever_fit(size):
            raise MessageError(f"{header['type']}: {size} bytes is more than this host holds "
                               "for one session at once", model=header.get("model"), seq=seq)
        await connection.budget.reserve(connection.lane, size)
        self.reserved = size

    def _on_bytes(self, data: bytes) -> None:
        buffers = self.assembler.feed(data)
        if buffers is None or self.header is None:
            return
        header, self.header = self.header, None
        reserved, self.reserved = self.reserved, 0
        self._dispatch(InboundMessage(header["type"], header, buffers), reserved)

    def _dispatch(self, message: InboundMessage, reserved: int) -> None:
        connection = self.connection
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                connection.budget.release(connection.lane, reserved)

        connection.dispatcher.handle(message, release)

    def abandon(self) -> None:
        """The socket is gone: give back what a half-read message reserved."""
        if self.ahead is not None:
            self.ahead.cancel()
        if self.reserved:
            self.connection.budget.release(self.connection.lane, self.reserved)
            self.reserved = 0


async def _decode(text: str) -> Any:
    try:
        if len(text) > _DECODE_OFF_LOOP:
            return await asyncio.get_running_loop().run_in_executor(None, json.loads, text)
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MessageError(f"message header is not valid JSON ({type(exc).__name__})") from exc
