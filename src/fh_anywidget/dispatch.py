"""What a page socket does with each browser message: attach/detach pages (grants), hand
writes and custom messages to their model's queue at most once per sequence number, and
acknowledge them once applied (docs/protocol.md, "Delivery and reconnect").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .codec import Buffer, iter_refs, put_buffers
from .framing import InboundMessage
from .logs import excerpt, one_line, quoted_block
from .models import ModelRecord, Ownership
from .wire import MessageError, Slot, state_message

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger("fh_anywidget")
browser_log = logging.getLogger("fh_anywidget.browser")

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")



class Dispatcher:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.registry = connection.registry

    # ------------------------------------------------------------ admission (before buffers)

    def record_for(self, model_id: str | None, seq: int | None = None) -> ModelRecord:
        """The model a message is about, if this socket was given it."""
        record = self.registry.get(model_id) if model_id is not None else None
        if record is None or not self.connection.grants.allows(record.id):
            if self.connection.shared.refusals.allow(self.connection.identity, log):
                log.warning("refused a message for model %s this socket was not given",
                            excerpt(model_id))
            raise MessageError(f"no model {excerpt(model_id, 40)!r} on this page", model=model_id,
                               seq=seq)
        return record

    # ------------------------------------------------------------ messages

    def handle(self, message: InboundMessage, release_bytes: Callable[[], None]) -> None:
        """Act on one complete message. ``release_bytes`` gives its buffers' reservation back;
        called once the message has been applied or refused."""
        queued = False
        try:
            kind = message.type
            if kind == "attach":
                self.attach(message.header["token"])
            elif kind == "detach":
                self.detach(message.header["token"])
            elif kind == "log":
                self.log_report(message.header)
            elif kind == "transport":
                self.transport(message.header["extensions"])
            elif kind == "update":
                queued = self.update(message, release_bytes)
            elif kind == "custom":
                queued = self.custom(message, release_bytes)
        except MessageError as exc:
            if exc.seq is None:
                exc.seq = message.seq
            self.connection.reply_error(exc)
        except Exception as exc:  # a bug or a hostile value we did not foresee: refuse, survive
            log.exception("error handling a browser %s message", message.type)
            self.connection.reply_error(MessageError(
                f"{message.type}: could not be handled ({type(exc).__name__})", seq=message.seq))
        finally:
            if not queued:
                release_bytes()

    def attach(self, token: str) -> None:
        connection = self.connection
        page = connection.pages_table.get(token)
        if page is not None and page.identity != connection.identity:
            log.warning("refused a page token presented by another session")
            page = None
        if page is None or page.expired:
            connection.page_unknown(token if _TOKEN_SHAPE.match(token) else None)
            return
        connection.attach_page(page)

    def detach(self, token: str) -> None:
        """The browser shows nothing of this page any more: stop holding it. The page retires
        after the grace period (closing the models it owns) unless something attaches it again."""
        self.connection.detach_page(token)

    def update(self, message: InboundMessage, release_bytes: Callable[[], None]) -> bool:
        header, seq = message.header, message.seq
        record = self.record_for(message.model, seq)
        state = header["state"]
        try:
            put_buffers(state, header["buffer_paths"], message.buffers)
        except ValueError as exc:
            raise MessageError(f"update: {exc}", model=record.id, seq=seq) from exc
        try:
            state = record.writable_part(state)
            self._check_refs(state, record)
        except MessageError as exc:
            exc.seq = seq
            raise
        return self._submit(record, seq, state, release_bytes,
                            lambda ack: record.apply_write(state, self.connection, ack))

    def custom(self, message: InboundMessage, release_bytes: Callable[[], None]) -> bool:
        record = self.record_for(message.model, message.seq)
        content, buffers = message.header.get("content"), message.buffers
        return self._submit(record, message.seq, {}, release_bytes,
                            lambda ack: self._apply_custom(record, content, buffers, ack))

    def _apply_custom(self, record: ModelRecord, content: Any, buffers: list[Buffer],
                      ack: Callable[[dict[str, Slot], int], None] | None) -> list[str]:
        errors = record.apply_custom(content, buffers, self.connection)
        if ack is not None:
            record.acknowledge_current({}, ack)
        return errors

    def _check_refs(self, state: dict[str, Any], record: ModelRecord) -> None:
        """A browser may only reference models it can already see; into a shared model, only
        shared ones (a private model there would outlive its page for every other viewer)."""
        refs = set(iter_refs(state))  # walks the value, no JSON encoding
        foreign = {r for r in refs if not self.connection.grants.allows(r)}
        if foreign:
            raise MessageError("update references models this page was not given: "
                               f"{excerpt(sorted(foreign))}", model=record.id)
        if record.ownership is Ownership.SHARED:
            private = sorted(r for r in refs
                             if (child := self.registry.get(r)) is None
                             or child.ownership is not Ownership.SHARED)
            if private:
                raise MessageError(f"a shared widget ({record.class_name}) may only reference "
                                   f"shared widgets, not {excerpt(private)}", model=record.id)

    def _submit(self, record: ModelRecord, seq: int | None, sent: dict[str, Any],
                release_bytes: Callable[[], None],
                apply: Callable[[Callable[[dict[str, Slot], int], None] | None], list[str]]) -> bool:
        """Queue a message on its model's queue, at most once per ``seq``; return whether it
        was queued (then the job releases the bytes)."""
        connection = self.connection
        client = connection.client if seq is not None else None
        if client is not None and seq is not None and not client.take(seq):
            if not client.is_running(seq):  # applied before: acknowledge again, now
                record.acknowledge_current(sent, self._acknowledger(record, seq, None))
            return False  # still being applied: its acknowledgement comes when it is done

        def job() -> None:
            try:
                errors = apply(None if seq is None else self._acknowledger(record, seq, client))
                target = (client.connection if client is not None else None) or connection
                for text in errors:
                    target.reply_error(MessageError(f"{record.class_name}: {text}", model=record.id))
            finally:
                release_bytes()
                connection.job_done()

        connection.job_started()
        connection.scheduler.submit(record.inbox, connection.lane, job)
        return True

    def _acknowledger(self, record: ModelRecord, seq: int,
                      client: Any) -> Callable[[dict[str, Slot], int], None]:
        """Queues the ack of ``seq`` (called under the record's lock, so it is ordered with the
        model's other messages) on whichever socket carries the client now."""
        def acknowledge(differs: dict[str, Slot], version: int) -> None:
            target = client.done(seq) if client is not None else self.connection
            if target is not None:
                target.deliver(record.id, state_message("ack", record.id, differs,
                                                        {"seq": seq, "version": version}))
        return acknowledge

    def transport(self, extensions: str) -> None:
        """The browser says what its socket negotiated. permessage-deflate is uvicorn's default
        and the host cannot turn it off from inside the app, so say once how to."""
        shared = self.connection.shared
        if "permessage-deflate" in extensions and not shared.deflate_warned:
            shared.deflate_warned = True
            log.warning("the widget socket negotiated permessage-deflate (uvicorn's default): "
                        "widget data is mostly binary and incompressible, and compressing it "
                        "makes large transfers 5-15x slower. Run uvicorn with "
                        "ws_per_message_deflate=False: serve(ws_per_message_deflate=False) in "
                        "FastHTML, or `uvicorn main:app --ws-per-message-deflate false`.")

    def log_report(self, header: dict[str, Any]) -> None:
        """A widget failed in the browser: one sanitised, bounded, rate-limited log line."""
        if not self.connection.shared.reports.allow(self.connection.identity, browser_log):
            return

        def text(key: str, limit: int = 300) -> str:
            value = header.get(key)
            return one_line(value, limit) if value is not None else "?"

        browser_log.error("widget %s (model %s) failed in %s: %s\n%s", text("widget", 100),
                          text("model", 130), text("phase", 40), text("message", 1000),
                          quoted_block(header.get("stack") or ""))
