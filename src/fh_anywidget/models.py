"""The host's record of every widget model: its state as Python last sent it, its version, its
code, who owns it and who mirrors it.

Python is authoritative. The snapshot is written only from what the widget itself sends through
its comm, under the record's lock, and every change bumps the model's ``version``; every message
carrying state carries the version, so a browser can tell newer from older whatever the route
(docs/protocol.md, "Versions"). A browser write is applied through the widget's own comm handler
on a worker thread; then, under the lock, the widget is asked to send the written traits again
(its public ``send_state``), so the snapshot holds what Python kept — coerced, refused or changed
meanwhile by another thread — and the writer's acknowledgement is queued in the same critical
section, ordered with every other change of the model.
"""

from __future__ import annotations

import contextvars
import enum
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from traitlets import TraitError

from .assets import Asset, AssetStore, is_href
from .codec import Buffer, put_buffers
from .logs import LogLimiter, one_line
from .serial import SerialQueue
from .wire import MessageError, Outgoing, Slot, StateChange, custom_message, simple_message, state_message

log = logging.getLogger("fh_anywidget")

CODE_KEYS = ("_esm", "_css")
#: Traits a browser may never write: code, identity, and the model/view class names.
PROTECTED_KEYS = frozenset({
    *CODE_KEYS, "_anywidget_id", "_model_name", "_model_module", "_model_module_version",
    "_view_name", "_view_module", "_view_module_version",
})


class Subscriber(Protocol):
    """A socket mirroring models. Called with the record's lock held, so it must not block."""

    def deliver(self, model_id: str, message: Outgoing, change: StateChange | None = None) -> None: ...


class Owner(Protocol):
    """A page: it answers for the private models it showed (closes them when it retires)."""

    owned: set[str]


class Ownership(enum.Enum):
    #: made outside any request: one state, shown by every page that renders it, never closed
    #: by the host
    SHARED = "shared"
    #: made while a request or a browser write was handled, and not shown yet: the first page
    #: that renders it (or a model that references it) claims it
    UNCLAIMED = "unclaimed"
    #: answered for by ``record.owner``, a page; closed when that page retires unless another
    #: live page shows it (which then inherits it)
    OWNED = "owned"


class RecordState(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


#: True while models made now are private to whoever is being served: an HTTP request is being
#: handled, or a browser write is being applied. Only classifies new models (shared or not);
#: which page owns one is decided when it is shown (:meth:`ModelRegistry.claim`).
making_private: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "fh_anywidget_making_private", default=False
)


class _Phase(enum.Enum):
    APPLYING = "applying"  # the widget's handler runs: its sends are ordinary Python changes
    READING_BACK = "reading back"  # the host asked it to send the written traits again


@dataclass
class Applying:
    """What the current thread is applying, so a record can tell its read-back from news."""

    record: ModelRecord
    origin: Subscriber
    phase: _Phase = _Phase.APPLYING
    errors: list[str] = field(default_factory=list)


_local = threading.local()


def applying_now() -> Applying | None:
    """The browser message the current thread is applying, if any."""
    return getattr(_local, "applying", None)


#: Exceptions from widget code on browser writes: to the server log, but a client that makes an
#: observer raise on purpose cannot flood it.
_widget_errors = LogLimiter()


class _WidgetErrorCatcher(logging.Filter):
    """ipywidgets logs (and swallows) exceptions raised inside its message handlers, with the
    full traceback and the refused value's repr. While this thread applies a browser message,
    such a record is taken instead (the filter drops it: it neither reaches handlers nor
    propagates): the browser hears of it, and the server log gets the host's bounded line."""

    def filter(self, record: logging.LogRecord) -> bool:
        applying = applying_now()
        if applying is None or record.levelno < logging.WARNING:
            return True
        exc = record.exc_info[1] if record.exc_info else None
        _report_widget_error(applying, exc if exc is not None else record.getMessage())
        return False


def _report_widget_error(applying: Applying, error: BaseException | str) -> None:
    """Tell the writer (a short text) and the server log (rate-limited, one line, frames) that
    widget code failed on a browser message. A ``TraitError`` is a refusal, not a crash: one
    line, no frames, and never the full repr of the refused value."""
    text = one_line(f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error)
    applying.errors.append(text)
    record = applying.record
    if not _widget_errors.allow(record.class_name, log):
        return
    if isinstance(error, BaseException) and not isinstance(error, TraitError):
        frames = "".join(traceback.format_tb(error.__traceback__)[-20:])
        log.error("%s (model %s) raised while applying a browser message: %s\n%s",
                  record.class_name, record.id, text, frames)
    else:
        log.warning("%s (model %s) refused a browser message: %s", record.class_name, record.id, text)


class ModelRecord:
    def __init__(self, registry: ModelRegistry, model_id: str, comm: Any,
                 state: dict[str, Any], ownership: Ownership) -> None:
        self.registry = registry
        self.id = model_id
        self.comm = comm
        self.ownership = ownership
        self.owner: Owner | None = None  # the page, when ownership is OWNED
        self.lock = threading.RLock()
        self.state = RecordState.OPEN
        self.slots: dict[str, Slot] = {}
        self.version = 0
        self.esm: Asset | None = None
        self.css: Asset | None = None
        self.subscribers: set[Subscriber] = set()
        self.inbox = SerialQueue()
        self.is_anywidget = state.get("_model_module") == "anywidget" or "_esm" in state
        #: every model id referenced by the state; replaced whole under the lock, read without
        #: it (walking references must never take a second record's lock)
        self.refs: frozenset[str] = frozenset()
        self._ignored: set[str] = set()  # unknown keys browsers wrote (logged once each)
        self._fold(state)
        name = self.slots.get("_anywidget_id") or self.slots.get("_model_name")
        self.class_name = name.json.strip('"') if name else "?"

    def __repr__(self) -> str:
        return f"<ModelRecord {self.id} {self.class_name}>"

    @property
    def closed(self) -> bool:
        return self.state is RecordState.CLOSED

    # ------------------------------------------------------------ Python -> browsers

    def _fold(self, state: dict[str, Any]) -> tuple[dict[str, Slot], bool]:
        """Fold a change into the snapshot; return its non-code slots and whether code changed."""
        code_changed = False
        for key, kind in (("_esm", "js"), ("_css", "css")):
            if key in state:
                text = state[key]
                old = getattr(self, key[1:])
                new = self.registry.assets.acquire(str(text), kind) if text else None
                self.registry.assets.release(old)
                setattr(self, key[1:], new)
                code_changed = code_changed or (old is None or new is None or old.digest != new.digest)
        slots: dict[str, Slot] = {}
        refs_changed = False
        current = self.slots
        for k, v in state.items():  # one plain loop: a 100,000-set storm runs this each time
            if k in CODE_KEYS:
                continue
            slot = slots[k] = Slot.of(v)
            if slot.refs or ((old := current.get(k)) is not None and old.refs):
                refs_changed = True
        current.update(slots)
        if refs_changed:
            self.refs = frozenset(ref for slot in self.slots.values() for ref in slot.refs)
        return slots, code_changed

    def code_fields(self) -> dict[str, str | None]:
        """The module and stylesheet as the wire names them: an asset name, or a URL as given."""
        return {"esm": _code_name(self.esm), "css": _code_name(self.css)}

    def publish_update(self, state: dict[str, Any]) -> None:
        """The widget sent (part of) its state: fold it, bump the version, tell every mirror."""
        applying = applying_now()
        reading_back = (applying is not None and applying.record is self
                        and applying.phase is _Phase.READING_BACK)
        with self.lock:
            if self.closed:
                return
            before = {k: self.slots.get(k) for k in state} if reading_back else {}
            slots, code_changed = self._fold(state)
            if reading_back:
                # What the writer sent, as Python kept it: news only to the other mirrors (the
                # writer's acknowledgement tells it what differs from what it sent).
                slots = {k: s for k, s in slots.items() if not s.same_as(before.get(k))}
            if slots:
                self.version += 1
                self._claim_references(slots)
                change = StateChange(self.id, slots, self.version)
                for sub in self.subscribers:
                    if not (reading_back and applying is not None and sub is applying.origin):
                        sub.deliver(self.id, change.message, change)
            if code_changed:
                code = simple_message("code", self.id, **self.code_fields())
                for sub in self.subscribers:
                    sub.deliver(self.id, code)

    def _claim_references(self, slots: dict[str, Slot]) -> None:
        refs = {ref for slot in slots.values() for ref in slot.refs}
        if refs and self.ownership is not Ownership.UNCLAIMED:
            self.registry.claim(refs, self.owner if self.ownership is Ownership.OWNED else None)

    def publish_custom(self, content: Any, buffers: list[Buffer]) -> None:
        with self.lock:
            if self.closed:
                return
            message = custom_message(self.id, content, buffers)
            for sub in self.subscribers:
                sub.deliver(self.id, message)

    def subscribe(self, sub: Subscriber) -> None:
        """Queue the current state for ``sub`` and keep it updated.

        Both happen under the record's lock, so no change published meanwhile is lost or
        arrives before the ``open``.
        """
        with self.lock:
            if self.closed:
                raise MessageError(f"model {self.id} is closed", model=self.id)
            sub.deliver(self.id, self.open_message())
            self.subscribers.add(sub)

    def open_message(self) -> Outgoing:
        with self.lock:
            return state_message("open", self.id, dict(self.slots),
                                 {"version": self.version, **self.code_fields()})

    def unsubscribe(self, sub: Subscriber) -> bool:
        """Stop mirroring to ``sub``; whether it was subscribed."""
        with self.lock:
            if sub not in self.subscribers:
                return False
            self.subscribers.discard(sub)
            return True

    def mark_closed(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.state = RecordState.CLOSED
            message = simple_message("close", self.id)
            for sub in self.subscribers:
                sub.deliver(self.id, message)
            self.subscribers.clear()
        self.registry.assets.release(self.esm)
        self.registry.assets.release(self.css)

    # ------------------------------------------------------------ browser -> Python

    def writable_part(self, state: dict[str, Any]) -> dict[str, Any]:
        """The part of a browser write the widget can take.

        Code, identity and class-name traits refuse the whole write. Keys that are not synced
        traits are skipped, as ipywidgets' ``set_state`` skips them (logged once per key).
        A trait's ``read_only`` flag is not a refusal: in ipywidgets it binds Python code, and
        the front end is the one that sets it; real widgets report view facts through such traits.
        """
        for key in state:
            if key in PROTECTED_KEYS:
                raise MessageError(f"trait {one_line(key, 60)!r} of {self.class_name} cannot be "
                                   "written by a browser", model=self.id)
        unknown = [k for k in state if k not in self.slots]
        for key in unknown:
            if key not in self._ignored and len(self._ignored) < 100:
                self._ignored.add(key)
                log.debug("%s has no synced trait %s; a browser write of it was skipped",
                          self.class_name, one_line(key, 60))
        return {k: v for k, v in state.items() if k in self.slots} if unknown else state

    def widget(self) -> Any:
        """The ipywidgets object behind this model, if it is one (descriptor objects are not)."""
        return widget_instances().get(self.id)

    def _descriptor_bundle(self) -> Any:
        """anywidget's per-object ``ReprMimeBundle`` behind a descriptor-protocol model."""
        callback = getattr(self.comm, "_msg_callback", None)
        bundle = getattr(callback, "__self__", None)
        return bundle if hasattr(bundle, "send_state") else None

    def apply_write(self, state: dict[str, Any], origin: Subscriber,
                    acknowledge: Callable[[dict[str, Slot], int], None] | None = None) -> list[str]:
        """Apply a browser write (on a worker thread); return error texts for the writer.

        Then, holding the lock: the widget sends the written traits again (the snapshot takes
        what Python kept, the other mirrors get what changed) and ``acknowledge`` is called with
        the slots whose value differs from what was sent, and the version they are at.
        """
        applying = Applying(self, origin)
        self._deliver_to_comm({"method": "update", "state": state, "buffer_paths": []}, applying)
        with self.lock:
            if self.closed:
                return applying.errors
            applying.phase = _Phase.READING_BACK
            _local.applying = applying
            try:
                self._read_back(list(state))
            except Exception as exc:  # a broken to_json serializer
                _report_widget_error(applying, exc)
            finally:
                _local.applying = None
            if acknowledge is not None:
                sent = {k: Slot.of(v) for k, v in state.items()}
                differs = {k: slot for k, slot in ((k, self.slots.get(k)) for k in state)
                           if slot is not None and not slot.same_as(sent[k])}
                acknowledge(differs, self.version)
        return applying.errors

    def _read_back(self, keys: list[str]) -> None:
        if not keys:
            return
        widget = self.widget()
        if widget is not None:
            widget.send_state(key=keys)
            return
        bundle = self._descriptor_bundle()
        if bundle is not None:
            bundle.send_state(include=keys)

    def acknowledge_current(self, sent: dict[str, Any],
                            acknowledge: Callable[[dict[str, Slot], int], None]) -> None:
        """Acknowledge a write without applying it (a duplicate, or a refusal): the slots whose
        current value differs from what was sent, read and queued under the lock."""
        with self.lock:
            differs = {k: slot for k, value in sent.items()
                       if (slot := self.slots.get(k)) is not None and not slot.same_as(Slot.of(value))}
            acknowledge(differs, self.version)

    def apply_custom(self, content: Any, buffers: list[Buffer], origin: Subscriber) -> list[str]:
        applying = Applying(self, origin)
        self._deliver_to_comm({"method": "custom", "content": content}, applying, buffers)
        return applying.errors

    def _deliver_to_comm(self, data: dict[str, Any], applying: Applying,
                         buffers: list[Buffer] | None = None) -> None:
        _local.applying = applying
        token = making_private.set(True)
        try:
            self.comm.handle_msg({"content": {"comm_id": self.id, "data": data},
                                  "buffers": buffers or [], "metadata": {}})
        except Exception as exc:
            _report_widget_error(applying, exc)
        finally:
            making_private.reset(token)
            _local.applying = None


def _code_name(asset: Asset | None) -> str | None:
    if asset is None:
        return None
    return asset.text.strip() if is_href(asset.text) else asset.filename


def widget_instances() -> dict[str, Any]:
    """ipywidgets' table of live widgets. ipywidgets 8 deprecated ``Widget.widgets``, and its
    warning machinery walks the stack on every access (a third of a browser write's cost)."""
    from ipywidgets.widgets import widget  # deferred: importing ipywidgets is slow

    instances: dict[str, Any] | None = getattr(widget, "_instances", None)
    return instances if instances is not None else dict(widget.Widget.widgets)


#: ipywidgets' browser-side links (controls' widget_link): viewless models that reference others
LINK_MODELS = frozenset({"LinkModel", "DirectionalLinkModel"})


class ModelRegistry:
    """Every live model in the process (like a kernel's comm manager, there is one)."""

    def __init__(self) -> None:
        self.models: dict[str, ModelRecord] = {}
        self.assets = AssetStore()
        self._lock = threading.Lock()
        #: guards every ownership transition; never held while taking a record's lock
        self.ownership_lock = threading.Lock()
        #: jslink/jsdlink models (an ordered set): nothing references them, yet a page showing
        #: both ends needs them, since they run in the browser
        self.links: dict[str, None] = {}
        catcher = _WidgetErrorCatcher()
        for name in ("traitlets", "ipywidgets"):
            logging.getLogger(name).addFilter(catcher)

    def get(self, model_id: str) -> ModelRecord | None:
        return self.models.get(model_id)

    def opened(self, comm: Any, state: dict[str, Any], paths: list[Any],
               buffers: list[Any]) -> ModelRecord:
        put_buffers(state, paths, buffers)
        ownership = Ownership.UNCLAIMED if making_private.get() else Ownership.SHARED
        record = ModelRecord(self, comm.comm_id, comm, state, ownership)
        with self._lock:
            self.models[record.id] = record
            if state.get("_model_module") == "@jupyter-widgets/controls" \
                    and state.get("_model_name") in LINK_MODELS:
                self.links[record.id] = None
        if record.refs and ownership is Ownership.SHARED:
            self.claim(record.refs, None)  # a shared model's children are shared too
        return record

    def claim(self, model_ids: Iterable[str], owner: Owner | None) -> None:
        """Give ``model_ids`` and the models they reference to ``owner`` (a page), or make them
        shared (``owner=None``). Unclaimed models are taken; owned ones stay with their page,
        unless they become shared: a model a shared one references is shown to everyone.
        """
        with self.ownership_lock:
            for model_id in self.closure(model_ids):
                record = self.models.get(model_id)
                if record is None or record.ownership is Ownership.SHARED:
                    continue
                if owner is None:
                    if record.owner is not None:
                        record.owner.owned.discard(model_id)
                    record.ownership, record.owner = Ownership.SHARED, None
                elif record.ownership is Ownership.UNCLAIMED:
                    record.ownership, record.owner = Ownership.OWNED, owner
                    owner.owned.add(model_id)

    def transfer(self, model_id: str, heir: Owner) -> None:
        """A retiring page's model goes on with another page that shows it."""
        with self.ownership_lock:
            record = self.models.get(model_id)
            if record is not None and record.ownership is Ownership.OWNED:
                if record.owner is not None:
                    record.owner.owned.discard(model_id)
                record.owner = heir
                heir.owned.add(model_id)

    def closed(self, model_id: str) -> None:
        with self._lock:
            record = self.models.pop(model_id, None)
            self.links.pop(model_id, None)
        if record is not None:
            with self.ownership_lock:
                if record.owner is not None:
                    record.owner.owned.discard(model_id)
            record.mark_closed()

    def close(self, model_id: str) -> None:
        """Close a model from the host side (its owner page is gone)."""
        record = self.models.get(model_id)
        if record is None:
            return
        widget = record.widget()
        try:
            if widget is not None:
                widget.close()
            else:
                record.comm.close()
        except Exception:
            log.exception("error while closing %r", record)
        self.closed(model_id)

    def closure(self, roots: Iterable[str]) -> list[str]:
        """``roots`` and every model they reference, transitively; children before parents.

        Takes no record lock (``refs`` is replaced whole), so it may run under any of them.
        """
        order: list[str] = []
        seen: set[str] = set()
        for root in roots:
            if root in seen:
                continue
            seen.add(root)
            # iterative depth-first walk: references can nest deeper than Python's recursion
            stack: list[tuple[str, list[str]]] = [(root, self._children(root))]
            while stack:
                model_id, children = stack[-1]
                if children:
                    child = children.pop()
                    if child not in seen:
                        seen.add(child)
                        stack.append((child, self._children(child)))
                    continue
                stack.pop()
                if model_id in self.models:
                    order.append(model_id)
        for link_id in list(self.links):  # after both ends, so children still come first
            record = self.models.get(link_id)
            if record is not None and link_id not in seen and record.refs and record.refs <= seen:
                seen.add(link_id)
                order.append(link_id)
        return order

    def _children(self, model_id: str) -> list[str]:
        record = self.models.get(model_id)
        return sorted(record.refs, reverse=True) if record is not None else []


registry = ModelRegistry()
