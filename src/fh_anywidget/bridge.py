"""The comm bridge: how unmodified widgets talk to the host.

ipywidgets and anywidget's descriptor protocol open their channels with ``comm.create_comm``;
the ``comm`` package lets a host replace that factory. Ours returns a :class:`HostComm`, which
hands every message to the model registry instead of a Jupyter kernel.
"""

from __future__ import annotations

import logging
from typing import Any

import comm
from comm.base_comm import BaseComm, CommManager

from .codec import put_buffers
from .models import ModelRegistry, registry

log = logging.getLogger("fh_anywidget")


class HostComm(BaseComm):
    """A comm whose far end is this host rather than a kernel's front end."""

    #: anywidget's descriptor protocol only sends updates when its comm has a truthy kernel.
    kernel = True
    registry: ModelRegistry = registry

    def publish_msg(self, msg_type: str, data: dict | None = None, metadata: dict | None = None,
                    buffers: list | None = None, **keys: Any) -> None:
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
            pass  # the host answers browser writes itself, by reading the traits back
        else:
            log.debug("ignoring comm message %r for %s", method, self.comm_id)

    def handle_msg(self, msg: dict[str, Any]) -> None:
        # BaseComm's version fires IPython shell events; there is no shell here.
        if self._msg_callback is not None:
            self._msg_callback(msg)


class HostCommManager(CommManager):
    """Holds open comms; there are no kernel-side targets to dispatch to."""


_manager = HostCommManager()


def _create_comm(*args: Any, **kwargs: Any) -> BaseComm:
    return HostComm(*args, **kwargs)


def _get_comm_manager() -> CommManager:
    return _manager


def install() -> None:
    """Route every comm created from now on through the host (idempotent)."""
    comm.create_comm = _create_comm
    comm.get_comm_manager = _get_comm_manager
    _make_send_state_atomic()


def _make_send_state_atomic() -> None:
    """ipywidgets reads a trait (``get_state``) and then sends it; two threads setting the same
    trait can send in the opposite order of their reads, leaving a stale value as the host's
    snapshot. Holding the model's lock across read+send makes the last send carry the last value.
    """
    import ipywidgets

    original = ipywidgets.Widget.send_state
    if getattr(original, "_fh_anywidget_atomic", False):
        return

    def send_state(self: Any, key: Any = None) -> None:
        host_comm = getattr(self, "comm", None)
        record = registry.get(host_comm.comm_id) if isinstance(host_comm, HostComm) else None
        if record is None:
            original(self, key)
            return
        with record.lock:
            original(self, key)

    send_state._fh_anywidget_atomic = True  # type: ignore[attr-defined]
    ipywidgets.Widget.send_state = send_state


def adopt(widget: Any) -> None:
    """Move a widget created before the bridge was installed onto a host comm."""
    if isinstance(getattr(widget, "comm", None), HostComm) or not hasattr(widget, "open"):
        return
    old = widget.comm
    widget.comm = None
    if old is not None:
        try:
            old.on_msg(None)
        except Exception:
            log.debug("could not detach the old comm of %r", widget, exc_info=True)
    widget.open()
