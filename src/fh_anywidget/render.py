"""How a widget placed in an FT tree becomes a live ``<fh-anywidget>`` element.

ipywidgets' ``Widget`` gets an ``__ft__`` (FastHTML's rendering protocol), so every widget
renders wherever it sits. Descriptor-protocol objects (``anywidget.experimental``: dataclasses,
pydantic, msgspec, psygnal, traitlets objects) are instances of the user's own classes, which
anywidget equips with ``setattr`` (no ``__set_name__`` hook runs), so nothing can give them an
``__ft__`` before fastcore meets them; fastcore's tree walker is wrapped instead. That walker is
private to fastcore: if it is ever renamed, such objects render through ``host.view(obj)`` only,
and a warning says so once.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from anywidget.experimental import MimeBundleDescriptor
from fastcore.xml import FT

from . import bridge
from .pages import current_scope

log = logging.getLogger("fh_anywidget")

ELEMENT = "fh-anywidget"


_hosts: weakref.WeakSet[Any] = weakref.WeakSet()  # the WidgetHosts alive in the process


def register_host(host: Any) -> None:
    _hosts.add(host)
    _install_ft_rendering()


def unregister_host(host: Any) -> None:
    _hosts.discard(host)


def model_id_of(obj: Any) -> str | None:
    """The model id of a widget or descriptor-protocol object (moving a widget made before any
    host onto the host's comms first), or None if it is not one."""
    bridge.adopt(obj)
    comm_id: object = getattr(getattr(obj, "comm", None), "comm_id", None)
    if isinstance(comm_id, str):
        return comm_id
    bundle = getattr(obj, "_repr_mimebundle_", None)  # anywidget's descriptor protocol
    model_id: object = getattr(bundle, "model_id", None)
    return model_id if isinstance(model_id, str) else None


def is_descriptor_object(obj: Any) -> bool:
    """An instance of a class carrying anywidget's ``MimeBundleDescriptor``."""
    return isinstance(getattr(type(obj), "_repr_mimebundle_", None), MimeBundleDescriptor)


def _host_for_render() -> Any:
    scope = current_scope.get()
    if scope is not None and scope.table.host is not None:
        return scope.table.host
    if len(_hosts) == 1:
        return next(iter(_hosts))
    if not _hosts:
        raise RuntimeError("create a WidgetHost(app) before rendering widgets")
    raise RuntimeError("several WidgetHosts exist and this widget is rendered outside a request "
                       "of any of them: use host.view(widget) with the host you mean")


def render(widget: Any) -> FT:
    return _host_for_render().view(widget)


def _render_method(self: Any) -> FT:
    return render(self)


def _install_ft_rendering() -> None:
    import ipywidgets

    if getattr(ipywidgets.Widget, "__ft__", None) is not _render_method:
        ipywidgets.Widget.__ft__ = _render_method
    _install_descriptor_rendering()


def _install_descriptor_rendering() -> None:
    import fastcore.xml as fx

    original = getattr(fx, "_to_xml", None)
    if original is None:
        log.warning("fastcore has no _to_xml: descriptor-protocol widgets in FT trees render "
                    "only through host.view(obj)")
        return
    if getattr(original, "_fh_anywidget", False):
        return

    def to_xml(elm: Any, *args: Any, **kwargs: Any) -> Any:
        if is_descriptor_object(elm):
            elm = render(elm)
        elif isinstance(elm, FT) and any(map(is_descriptor_object, elm.children)):
            children = tuple(render(c) if is_descriptor_object(c) else c for c in elm.children)
            elm = FT(elm.tag, children, elm.attrs, void_=elm.void_)
        return original(elm, *args, **kwargs)

    to_xml._fh_anywidget = True  # type: ignore[attr-defined]
    fx._to_xml = to_xml
