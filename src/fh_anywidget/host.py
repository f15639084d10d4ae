"""WidgetHost: the FastHTML adapter — one line puts the host on an app."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from fastcore.xml import FT, ft
from starlette.types import Scope

from . import bridge
from .connection import ConnectionLimits
from .models import ModelRegistry, registry
from .pages import Page, PageTable, current_scope
from .server import HostServer

log = logging.getLogger("fh_anywidget")

ELEMENT = "fh-anywidget"

_active_host: WidgetHost | None = None


SESSION_KEY = "_fh_anywidget"


def session_identity(scope: Scope, create: bool) -> str | None:
    """Default identity: an id kept in the app's signed session (none if the app has no sessions).

    Pages are bound to it, so a page token is useless to a socket from another session.
    """
    session = scope.get("session")
    if not isinstance(session, dict):
        return None
    value = session.get(SESSION_KEY)
    if value is None and create:
        value = session[SESSION_KEY] = secrets.token_urlsafe(16)
    return value if isinstance(value, str) else None


class WidgetHost:
    """Serve live anywidget views from a FastHTML (or any Starlette) app.

    ``WidgetHost(app)`` installs the page socket, the asset routes, the browser runtime and the
    per-request page scope; afterwards any widget placed in an FT tree renders as a live view.
    """

    def __init__(
        self,
        app: Any,
        *,
        path: str = "/_fh_anywidget",
        grace: float = 60.0,
        max_payload: int = 512 * 1024 * 1024,
        max_backlog: int = 256 * 1024 * 1024,
        allowed_origins: Sequence[str] | None = None,
        identity: Callable[[Scope, bool], str | None] = session_identity,
    ) -> None:
        global _active_host
        bridge.install()
        self.app = app
        self.registry: ModelRegistry = registry
        self.pages = PageTable(registry, grace)
        self.pages.host = self
        self.server = HostServer(
            registry, self.pages, path.rstrip("/"),
            ConnectionLimits(max_payload=max_payload, max_backlog=max_backlog),
            identity, allowed_origins,
        )
        # In front: FastHTML's static catch-all would otherwise shadow these routes.
        app.router.routes[0:0] = self.server.routes()
        app.add_middleware(_Middleware, server=self.server)
        hdrs = getattr(app, "hdrs", None)
        if hdrs is not None:
            app.hdrs = [*hdrs, *self.preloads(), self.script()]
        _install_ft_rendering()
        _active_host = self

    # ------------------------------------------------------------ rendering

    def preloads(self) -> list[FT]:
        """``modulepreload`` links for the runtime's modules (added to ``hdrs`` automatically)."""
        return [ft("link", rel="modulepreload", href=url)
                for url in self.server.runtime_module_urls]

    def script(self) -> FT:
        """The runtime's script tag (added to FastHTML's ``hdrs`` automatically)."""
        return ft("script", type="module", src=self.server.runtime_url)

    def view(self, widget: Any) -> FT:
        """The element that shows ``widget`` live; what a widget in an FT tree renders as."""
        model_id = _model_id_of(widget)
        page = self._page()
        if model_id is None:
            return ft(ELEMENT, error=f"{type(widget).__name__} is not a widget", page=page.token)
        page.grant(model_id, widget)
        return ft(ELEMENT, model=model_id, page=page.token, socket=self.server.socket_path)

    def _page(self) -> Page:
        scope = current_scope.get()
        if scope is not None and scope.table is self.pages:
            return scope.page
        return self.pages.create()  # rendered outside a request: a page of its own

    def close(self) -> None:
        self.pages.stop()


class _Middleware:
    def __init__(self, app: Any, server: HostServer) -> None:
        self._app = server.middleware(app)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)


def _model_id_of(obj: Any) -> str | None:
    bridge.adopt(obj)
    model_id = getattr(obj, "model_id", None)
    if isinstance(model_id, str):
        return model_id
    bundle = getattr(obj, "_repr_mimebundle_", None)  # anywidget's descriptor protocol
    model_id = getattr(bundle, "model_id", None)
    return model_id if isinstance(model_id, str) else None


def _render(widget: Any) -> FT:
    scope = current_scope.get()
    host = scope.table.host if scope is not None else _active_host
    if host is None:
        raise RuntimeError("create a WidgetHost(app) before rendering widgets")
    return host.view(widget)


def _install_ft_rendering() -> None:
    """Teach FastHTML to render ipywidgets (so every AnyWidget) wherever they sit in an FT tree."""
    import ipywidgets

    if getattr(ipywidgets.Widget, "__ft__", None) is not _render_method:
        ipywidgets.Widget.__ft__ = _render_method


def _render_method(self: Any) -> FT:
    return _render(self)
