"""The host's record of every widget model: folded state, code assets, who listens.

Python is authoritative. Python-side changes (arriving through the comm bridge, from any thread)
are folded into a per-model snapshot and fanned out to subscribed connections in order. Browser
writes are applied through the widget's own comm handler on a worker thread, then the written
traits are read back so every view — including the writer's — converges on what Python kept.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .assets import Asset, AssetStore, is_href
from .codec import Buffer, put_buffers, same_value
from .serial import SerialQueue
from .wire import MessageError, Outgoing, Slot, custom_message, simple_message, state_message

log = logging.getLogger("fh_anywidget")

CODE_KEYS = ("_esm", "_css")
#: Traits a browser may never write: code, identity, and the model/view class names.
PROTECTED_KEYS = frozenset({
    *CODE_KEYS, "_anywidget_id", "_model_name", "_model_module", "_model_module_version",
    "_view_name", "_view_module", "_view_module_version",
})


class Subscriber(Protocol):
    """A connection that mirrors models; called with the record's lock held, so must not block."""

    def send_update(self, model_id: str, slots: dict[str, Slot]) -> None: ...
    def send(self, model_id: str, message: Outgoing) -> None: ...


class Owner(Protocol):
    """Whoever is answerable for models created in the current context (a page)."""

    def adopt(self, record: ModelRecord) -> None: ...


#: The owner of models created right now: a page while its request is handled, the writing
#: model's owner while a browser message is applied, nobody (shared) otherwise.
creation_owner: contextvars.ContextVar[Owner | None] = contextvars.ContextVar(
    "fh_anywidget_creation_owner", default=None
)


@dataclass
class _Applying:
    """What the current thread is applying: lets the record tell its own echo from news."""

    record: ModelRecord
    origin: Subscriber
    updated: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


_local = threading.local()


def _applying() -> _Applying | None:
    return getattr(_local, "applying", None)


class _WidgetErrorCatcher(logging.Handler):
    """ipywidgets logs (and swallows) exceptions raised inside its message handlers; collect
    the ones raised while this thread applies a browser message so the browser hears of them."""

    def emit(self, record: logging.LogRecord) -> None:
        applying = _applying()
        if applying is None or record.levelno < logging.WARNING:
            return
        exc = record.exc_info[1] if record.exc_info else None
        applying.errors.append(f"{type(exc).__name__}: {exc}" if exc else record.getMessage())


class ModelRecord:
    def __init__(self, registry: ModelRegistry, model_id: str, comm: Any,
                 state: dict[str, Any], owner: Owner | None) -> None:
        self.registry = registry
        self.id = model_id
        self.comm = comm
        self.owner = owner
        self.lock = threading.RLock()
        self.slots: dict[str, Slot] = {}
        self.esm: Asset | None = None
        self.css: Asset | None = None
        self.subscribers: set[Subscriber] = set()
        self.inbox = SerialQueue()
        self.closed = False
        self.is_anywidget = state.get("_model_module") == "anywidget" or "_esm" in state
        self._fold(state)

    def __repr__(self) -> str:
        return f"<ModelRecord {self.id} {self.class_name}>"

    @property
    def class_name(self) -> str:
        slot = self.slots.get("_anywidget_id") or self.slots.get("_model_name")
        return slot.json.strip('"') if slot else "?"

    @property
    def refs(self) -> set[str]:
        with self.lock:
            return {ref for slot in self.slots.values() for ref in slot.refs}

    # ------------------------------------------------------------ Python -> browsers

    def _code_url(self, asset: Asset | None, kind: str) -> str | None:
        if asset is None:
            return None
        return asset.text.strip() if is_href(asset.text) else self.registry.asset_url(asset)

    def _fold(self, state: dict[str, Any]) -> tuple[dict[str, Slot], bool]:
        """Fold a state change into the snapshot; return the non-code slots and whether code changed."""
        code_changed = False
        for key, kind in (("_esm", "js"), ("_css", "css")):
            if key in state:
                text = state[key]
                old = getattr(self, key[1:])
                new = self.registry.assets.acquire(str(text), kind) if text else None
                self.registry.assets.release(old)
                setattr(self, key[1:], new)
                code_changed = code_changed or (old is None or new is None or old.digest != new.digest)
        slots = {k: Slot.of(v) for k, v in state.items() if k not in CODE_KEYS}
        self.slots.update(slots)
        return slots, code_changed

    def code_fields(self) -> dict[str, Any]:
        return {"esm": self._code_url(self.esm, "js"), "css": self._code_url(self.css, "css")}

    def publish_update(self, state: dict[str, Any]) -> None:
        """A state change made in Python: fold it and send it to every subscriber."""
        applying = _applying()
        if applying is not None and applying.record is self:
            applying.updated.update(state)
        with self.lock:
            if self.closed:
                return
            slots, code_changed = self._fold(state)
            for sub in self.subscribers:
                if slots:
                    sub.send_update(self.id, slots)
                if code_changed:
                    sub.send(self.id, simple_message("code", self.id, **self.code_fields()))

    def publish_custom(self, content: Any, buffers: list[Buffer]) -> None:
        with self.lock:
            if self.closed:
                return
            message = custom_message(self.id, content, buffers)
            for sub in self.subscribers:
                sub.send(self.id, message)

    def subscribe(self, sub: Subscriber) -> None:
        """Queue the current state for ``sub`` and keep it updated.

        Both happen under the record's lock, so no change published meanwhile is lost or
        arrives before the ``open``; the connection writes queued opens ahead of the parent
        update that made it subscribe.
        """
        with self.lock:
            if self.closed:
                raise MessageError(f"model {self.id} is closed", model=self.id)
            sub.send(self.id, state_message("open", self.id, dict(self.slots), self.code_fields()))
            self.subscribers.add(sub)

    def unsubscribe(self, sub: Subscriber) -> None:
        with self.lock:
            self.subscribers.discard(sub)

    def mark_closed(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            message = simple_message("close", self.id)
            for sub in self.subscribers:
                sub.send(self.id, message)
            self.subscribers.clear()
        self.registry.assets.release(self.esm)
        self.registry.assets.release(self.css)

    # ------------------------------------------------------------ browser -> Python

    def check_writable(self, state: dict[str, Any]) -> None:
        """Refuse a whole write up front if any key is unknown or code/identity.

        A trait's ``read_only`` flag is not a refusal: in ipywidgets it means read-only *for
        Python code*, and the front end is the one that sets it (``set_state`` uses
        ``set_trait``); real widgets report view facts through such traits.
        """
        for key in state:
            if key in PROTECTED_KEYS:
                raise MessageError(f"trait {key!r} of {self.class_name} cannot be written by a browser",
                                   model=self.id)
            if key not in self.slots:
                raise MessageError(f"{self.class_name} has no synced trait {key!r}", model=self.id)

    def widget(self) -> Any:
        """The ipywidgets object behind this model, if it is one (descriptor objects are not)."""
        return _widget_instances().get(self.id)

    def apply_update(self, state: dict[str, Any], origin: Subscriber) -> list[str]:
        """Apply a browser write (on a worker thread); return error texts for the writer."""
        applying = _Applying(self, origin)
        failed = self._deliver_to_comm({"method": "update", "state": state, "buffer_paths": []},
                                       applying)
        keys = [k for k in state if k not in applying.updated]
        widget = self.widget()
        if widget is not None:
            try:
                final = widget.get_state(key=keys) if keys else {}
            except Exception as exc:  # a broken to_json serializer
                applying.errors.append(f"reading back {keys}: {type(exc).__name__}: {exc}")
                final = {}
        elif failed:
            final = {}
        else:
            final = {k: state[k] for k in keys}  # descriptor objects: no error means accepted
        with self.lock:
            if self.closed:
                return applying.errors
            before = {k: self.slots.get(k) for k in final}
            slots, _ = self._fold(final)
            news = {k: s for k, s in slots.items() if not s.same_as(before[k])}
            differs = {k: s for k, s in slots.items() if not same_value(final[k], state[k])}
            if widget is None and failed:  # refused: the writer snaps back to the snapshot
                differs = {k: self.slots[k] for k in keys if k in self.slots}
            for sub in self.subscribers:
                send = news if sub is not origin else differs
                if send:
                    sub.send_update(self.id, send)
        # A value that differs with no error captured was changed since by another thread: the
        # writer converges on it (above) but nothing was refused, so there is nothing to report.
        return applying.errors

    def apply_custom(self, content: Any, buffers: list[Buffer], origin: Subscriber) -> list[str]:
        applying = _Applying(self, origin)
        self._deliver_to_comm({"method": "custom", "content": content}, applying, buffers)
        return applying.errors

    def _deliver_to_comm(self, data: dict[str, Any], applying: _Applying,
                         buffers: list[Buffer] | None = None) -> bool:
        _local.applying = applying
        token = creation_owner.set(self.owner)
        try:
            self.comm.handle_msg({"content": {"comm_id": self.id, "data": data},
                                  "buffers": buffers or [], "metadata": {}})
            return bool(applying.errors)
        except Exception as exc:
            log.warning("%s raised while handling a browser %s message", self.class_name,
                        data.get("method"), exc_info=True)
            applying.errors.append(f"{type(exc).__name__}: {exc}")
            return True
        finally:
            creation_owner.reset(token)
            _local.applying = None


def _widget_instances() -> dict[str, Any]:
    """ipywidgets' table of live widgets. ipywidgets 8 deprecated ``Widget.widgets``, and its
    warning machinery walks the stack on every access (a third of a browser write's cost)."""
    from ipywidgets.widgets import widget  # deferred: importing ipywidgets is slow

    instances = getattr(widget, "_instances", None)
    return instances if instances is not None else widget.Widget.widgets


class ModelRegistry:
    """Every live model in the process (like a kernel's comm manager, there is one)."""

    def __init__(self) -> None:
        self.models: dict[str, ModelRecord] = {}
        self.assets = AssetStore()
        self.asset_prefix = "/_fh_anywidget/assets"
        self._lock = threading.Lock()
        catcher = _WidgetErrorCatcher()
        for name in ("traitlets", "ipywidgets"):
            logging.getLogger(name).addHandler(catcher)

    def asset_url(self, asset: Asset) -> str:
        return f"{self.asset_prefix}/{asset.filename}"

    def get(self, model_id: str) -> ModelRecord | None:
        return self.models.get(model_id)

    def opened(self, comm: Any, state: dict[str, Any], paths: list, buffers: list) -> ModelRecord:
        put_buffers(state, paths, buffers)
        owner = creation_owner.get()
        record = ModelRecord(self, comm.comm_id, comm, state, owner)
        with self._lock:
            self.models[record.id] = record
        if owner is not None:
            owner.adopt(record)
        return record

    def closed(self, model_id: str) -> None:
        with self._lock:
            record = self.models.pop(model_id, None)
        if record is not None:
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
        """``roots`` and every model they reference, transitively; children before parents."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(model_id: str) -> None:
            if model_id in seen:
                return
            seen.add(model_id)
            record = self.models.get(model_id)
            if record is None:
                return
            for child in sorted(record.refs):
                visit(child)
            order.append(model_id)

        for root in roots:
            visit(root)
        return order


registry = ModelRegistry()
