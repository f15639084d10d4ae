"""The comm bridge: how unmodified widgets talk to the host.

ipywidgets and anywidget's descriptor protocol open their channels with ``comm.create_comm``;
the ``comm`` package lets a host replace that factory. Ours returns a :class:`HostComm`, which
hands every message to the model registry instead of a Jupyter kernel.

Nothing happens at import: the first ``WidgetHost`` calls :func:`install`, which also moves the
widgets made before it (whose comms went nowhere) onto host comms. So a module that merely
imports ``fh_anywidget`` inside a Jupyter kernel leaves the kernel's widgets alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import comm
from comm.base_comm import BaseComm, CommManager

from . import output
from .codec import buffers_equal, put_buffers
from .models import ModelRegistry, registry

log = logging.getLogger("fh_anywidget")


class HostComm(BaseComm):
    """A comm whose far end is this host rather than a kernel's front end."""

    #: anywidget's descriptor protocol only sends updates when its comm has a truthy kernel.
    kernel = True
    registry: ModelRegistry = registry

    def publish_msg(self, msg_type: str, data: dict[str, Any] | None = None,
                    metadata: dict[str, Any] | None = None, buffers: list[Any] | None = None,
                    **keys: Any) -> None:
        data = data or {}
        buffers = list(buffers or [])
        if msg_type == "comm_open":
            self.registry.opened(self, dict(data.get("state") or {}),
                                 data.get("buffer_paths") or [], buffers)
            return
        if msg_type == "comm_close":
            self.registry.closed(self.comm_id)
            return
        record = self.registry.get(self.comm_id)
        if record is None:  # sent before the comm was open: nobody can have seen it
            return
        method = data.get("method")
        if method == "update":
            state = dict(data.get("state") or {})
            put_buffers(state, data.get("buffer_paths") or [], buffers)
            record.publish_update(state)
        elif method == "custom":
            record.publish_custom(data.get("content"), buffers)
        elif method == "echo_update":
            pass  # the host answers browser writes itself, with an ack (docs/protocol.md)
        else:
            log.debug("ignoring comm message %r for %s", method, self.comm_id)

    def handle_msg(self, msg: dict[str, Any]) -> None:
        # BaseComm's version fires IPython shell events; there is no shell here.
        if self._msg_callback is not None:
            self._msg_callback(msg)


class HostCommManager(CommManager):
    """Holds open comms; there are no kernel-side targets to dispatch to."""


_manager = HostCommManager()
_install_lock = threading.Lock()
_installed = False


def _create_comm(*args: Any, **kwargs: Any) -> BaseComm:
    return HostComm(*args, **kwargs)


def _get_comm_manager() -> CommManager:
    return _manager


def install() -> None:
    """Route every widget comm through the host from now on, and move the widgets made before
    (idempotent; called by every ``WidgetHost``)."""
    global _installed
    with _install_lock:
        if not _installed:
            comm.create_comm = _create_comm
            comm.get_comm_manager = _get_comm_manager
            _make_echo_suppression_per_thread()
            _make_send_state_atomic()
            _make_buffer_compares_cheap()
            output.install()  # Output captures without a kernel
            _installed = True
    for widget in list(_widget_instances().values()):
        adopt(widget)


def _widget_instances() -> dict[str, Any]:
    from .models import widget_instances

    return widget_instances()


class _PerThreadPropertyLock:
    """ipywidgets' ``_property_lock``, kept per thread.

    While ipywidgets applies a front-end write it stores the written values on the widget so
    that its own echo is not sent back, and resets them afterwards. The host applies browser
    writes on worker threads, so another thread setting the same trait meanwhile would read
    that shared dict mid-reset (``KeyError`` in the user's thread, and its value never sent) or
    have its newer value taken for the echo. Per thread, the applying thread still suppresses
    its echo and every other thread's change is sent.
    """

    def __get__(self, widget: Any, owner: type | None = None) -> Any:
        if widget is None:
            return self
        locks = widget.__dict__.get("_fh_property_locks")
        return locks.get(threading.get_ident(), {}) if locks else {}

    def __set__(self, widget: Any, value: dict[str, Any]) -> None:
        locks = widget.__dict__.setdefault("_fh_property_locks", {})
        if value:
            locks[threading.get_ident()] = value
        else:
            locks.pop(threading.get_ident(), None)


def _make_echo_suppression_per_thread() -> None:
    import ipywidgets

    if not isinstance(ipywidgets.Widget.__dict__.get("_property_lock"), _PerThreadPropertyLock):
        ipywidgets.Widget._property_lock = _PerThreadPropertyLock()


def _make_send_state_atomic() -> None:
    """ipywidgets (and anywidget's descriptor objects) read the traits and then send them; two
    threads setting the same trait can send in the opposite order of their reads, leaving a
    stale value as the host's snapshot. Holding the model's lock across read+send makes the
    last send carry the last value. The widget's behaviour is otherwise untouched.
    """
    import ipywidgets
    from anywidget._descriptor import ReprMimeBundle

    def atomic(original: Any, comm_of: Any) -> Any:
        def send_state(self: Any, *args: Any, **kwargs: Any) -> None:
            host_comm = comm_of(self)
            record = registry.get(host_comm.comm_id) if isinstance(host_comm, HostComm) else None
            if record is None:
                original(self, *args, **kwargs)
                return
            with record.lock:
                key = kwargs.get("key", args[0] if args else None)
                if type(key) is str and _send_scalar(self, key, record):
                    return
                original(self, *args, **kwargs)

        send_state._fh_anywidget_atomic = True  # type: ignore[attr-defined]
        return send_state

    for cls, attribute in ((ipywidgets.Widget, "comm"), (ReprMimeBundle, "_comm")):
        original = cls.send_state
        if not getattr(original, "_fh_anywidget_atomic", False):
            cls.send_state = atomic(  # type: ignore[method-assign]
                original, lambda obj, a=attribute: getattr(obj, a, None))


_SCALARS = frozenset({int, float, str, bool, type(None)})
_plain_senders: dict[type, bool] = {}


def _send_scalar(widget: Any, key: str, record: Any) -> bool:
    """ipywidgets' ``send_state(key)`` for one trait whose JSON is a scalar, without the
    message it would build for a kernel (no buffers to split, one key, nothing to echo-track):
    the same value reaches the record in a fifth of the calls. Whether it was handled; widgets
    that customise how state is read or sent, and sets made while a browser write of the same
    widget is being applied (the property lock is in use), take ipywidgets' own path."""
    import ipywidgets

    cls = type(widget)
    plain = _plain_senders.get(cls)
    if plain is None:
        base = ipywidgets.Widget
        plain = _plain_senders[cls] = (
            isinstance(widget, base) and cls.get_state is base.get_state and cls._send is base._send)
    if not plain or widget._property_lock:
        return False
    to_json = widget.trait_metadata(key, "to_json", widget._trait_to_json)
    value = to_json(getattr(widget, key), widget)
    if type(value) not in _SCALARS:
        return False
    record.publish_update({key: value})
    return True


_BYTE_FORMATS = frozenset({"B", "b", "c"})


def _make_buffer_compares_cheap() -> None:
    """traitlets decides whether a set is a change with ``old == new``. For a memoryview (what
    a browser's binary buffer arrives as, as from a kernel) that compares item by item, about
    4 ms per MiB, and it does not even stop at identity: ``hold_trait_notifications``, which
    ipywidgets' ``set_state`` uses, sets every written trait a second time to its own value, so
    each pushed buffer was compared with itself in full. For byte-format memoryviews only, the
    same buffer is the same value and two buffers compare with memcmp; the outcome of every
    compare, and so every notification, is what traitlets would decide.
    """
    import traitlets

    if getattr(traitlets.TraitType.set, "_fh_anywidget_buffers", False):
        return
    original = traitlets.TraitType.set

    def set(self: Any, obj: Any, value: Any) -> None:
        if type(value) is not memoryview:
            original(self, obj, value)
            return
        new = self._validate(obj, value)
        old = obj._trait_values.get(self.name, self.default_value)
        obj._trait_values[self.name] = new
        as_bytes = type(new) is memoryview and new.format in _BYTE_FORMATS
        if as_bytes and old is new:  # (a float buffer holding NaN is not equal to itself)
            return
        if (as_bytes and type(old) is memoryview and old.format in _BYTE_FORMATS
                and old.ndim == new.ndim == 1 and old.c_contiguous and new.c_contiguous):
            silent = buffers_equal(old, new)
        else:
            try:
                silent = bool(old == new)
            except Exception:  # as traitlets: a value that cannot be compared is a change
                silent = False
        if silent is not True:
            obj._notify_trait(self.name, old, new)

    set._fh_anywidget_buffers = True  # type: ignore[attr-defined]
    traitlets.TraitType.set = set  # type: ignore[method-assign]


def adopt(widget: Any) -> None:
    """Move a widget made before the bridge was installed (its comm goes nowhere) onto a host
    comm, keeping its model id; widgets it references first, so they exist when it is shown.

    A closed widget (no comm) stays closed: rendering it is an error, not a resurrection.
    """
    for member in _with_children(widget, set()):
        old = getattr(member, "comm", None)
        if old is None or isinstance(old, HostComm) or not hasattr(member, "open"):
            continue
        member.comm = None
        try:
            old.on_msg(None)
        except Exception:
            log.debug("could not detach the old comm of %r", member, exc_info=True)
        member.open()


def _with_children(widget: Any, seen: set[int]) -> Iterator[Any]:
    """``widget`` after every ipywidgets widget it references through its traits (depth first)."""
    if id(widget) in seen:
        return
    seen.add(id(widget))
    import ipywidgets

    if isinstance(widget, ipywidgets.Widget):
        for name in widget.keys:
            for child in _widgets_in(getattr(widget, name, None)):
                yield from _with_children(child, seen)
    yield widget


def _widgets_in(value: Any) -> Iterator[Any]:
    import ipywidgets

    if isinstance(value, ipywidgets.Widget):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _widgets_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _widgets_in(item)
