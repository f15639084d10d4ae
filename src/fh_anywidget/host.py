"""WidgetHost: the FastHTML adapter — one line puts the host on an app."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import urlencode

from fastcore.xml import FT, NotStr, ft
from starlette.types import Scope

from . import bridge, dev, htmx
from .connection import ConnectionLimits
from .models import ModelRegistry, registry
from .pages import Page, PageLimits, PageTable, current_scope
from .render import ELEMENT, model_id_of, register_host, unregister_host
from .server import AuthFn, HostServer

log = logging.getLogger("fh_anywidget")

OnExpired = Literal["notice", "reload"]

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


#: Bytes of initial state one view carries in the page; more waits for the socket.
INLINE_STATE_MAX = 256 * 1024


class WidgetHost:
    """Serve live anywidget views from a FastHTML (or any Starlette) app.

    ``WidgetHost(app)`` installs the page socket, the asset routes, the browser runtime and the
    per-request page scope; afterwards any widget placed in an FT tree renders as a live view.

    Safety options (docs/security.md): ``allowed_origins`` (extra origins whose pages may open the
    socket), ``identity`` (who a request/socket is; pages are bound to it), ``auth`` (called with
    the socket's ASGI scope before accept; falsy refuses it, e.g. the app's login check),
    ``grace`` (seconds a page outlives its last socket), ``max_payload``/``max_backlog``/
    ``max_inflight`` (per-socket limits on inbound bytes, outbound lag and unapplied messages).
    """

    def __init__(
        self,
        app: Any,
        *,
        path: str = "/_fh_anywidget",
        grace: float = 60.0,
        max_payload: int = 512 * 1024 * 1024,
        max_message: int = 8 * 1024 * 1024,
        max_backlog: int = 256 * 1024 * 1024,
        max_inflight: int = 256,
        max_inbound: int = 1024 * 1024 * 1024,
        allowed_origins: Sequence[str] | None = None,
        identity: Callable[[Scope, bool], str | None] = session_identity,
        auth: AuthFn | None = None,
        widget_timeout: float = 10.0,
        on_expired: OnExpired = "notice",
        dev: bool = False,
    ) -> None:
        """``widget_timeout``: seconds ``host.getWidget`` waits for a child's ``initialize``.
        ``on_expired``: what a page does when the server no longer knows it (restarted, or the
        page retired): ``"notice"`` greys its widgets out with a notice and a Reload button,
        ``"reload"`` reloads it. ``dev``: hot module replacement — file-based ``_esm``/``_css``
        are watched and edits reach live views; off, no file is watched (code a program assigns
        itself still goes out, as in JupyterLab)."""
        if on_expired not in ("notice", "reload"):
            raise ValueError(f"on_expired must be 'notice' or 'reload', not {on_expired!r}")
        bridge.install()
        self.app = app
        self.widget_timeout = widget_timeout
        self.on_expired = on_expired
        self.dev = dev
        self.registry: ModelRegistry = registry
        self.pages = PageTable(registry, grace, PageLimits())
        self.pages.host = self
        self.server = HostServer(
            registry, self.pages, path.rstrip("/"),
            ConnectionLimits(max_payload=max_payload, max_message=max_message,
                             max_backlog=max_backlog, max_inflight=max_inflight),
            identity, allowed_origins, auth, max_inbound,
        )
        # In front: FastHTML's static catch-all would otherwise shadow these routes.
        app.router.routes[0:0] = self.server.routes()
        app.add_middleware(_Middleware, server=self.server)
        hdrs = getattr(app, "hdrs", None)
        if hdrs is not None:
            app.hdrs = [*hdrs, *self.preloads(), self.script()]
        register_host(self)

    # ------------------------------------------------------------ rendering

    def preloads(self) -> list[FT]:
        """``modulepreload`` links for the runtime's modules (added to ``hdrs`` automatically)."""
        return [ft("link", rel="modulepreload", href=url)
                for url in self.server.runtime_module_urls]

    def script(self) -> FT:
        """The runtime's script tag (added to FastHTML's ``hdrs`` automatically)."""
        query = urlencode({"widget_timeout": round(self.widget_timeout * 1000),
                           "on_expired": self.on_expired})
        return ft("script", type="module", src=f"{self.server.runtime_url}?{query}")

    def view(self, widget: Any) -> FT:
        """The element that shows ``widget`` live; what a widget in an FT tree renders as.

        The page being rendered claims the widget (and the private widgets it references) and
        may show it from now on. As Jupyter's ``display()`` does, the widget's
        ``_repr_mimebundle_`` is called first: some widgets sync their state there.
        """
        name = type(widget).__name__
        model_id = model_id_of(widget)
        record = self.registry.get(model_id) if model_id is not None else None
        if model_id is None or record is None or record.closed:
            closed = model_id is not None or getattr(widget, "comm", False) is None
            return ft(ELEMENT, error=f"{name} was closed" if closed else f"{name} is not a widget")
        problem = _call_display_hook(widget)
        if problem is not None:
            return ft(ELEMENT, error=problem)
        page = self._page()
        page.show(model_id, widget)
        # Dev mode names the module's file, so an error box can say where to look.
        source = {"esm_file": dev.esm_file(widget)} if self.dev else {}
        if self.dev:
            self._watch(model_id, widget)
        return ft(ELEMENT, *self._code_preloads(model_id), *self._initial_state(model_id),
                  model=model_id, page=page.token, socket=self.server.socket_path, **source)

    def _initial_state(self, model_id: str) -> list[FT]:
        """The ``open`` messages of the widget and its children, in the page itself, so the
        first render need not wait for the socket (docs/protocol.md, "State in the page").
        Models with binary buffers, or too big to be worth a page's bytes, wait for the socket."""
        opens, size = [], 0
        for member in self.registry.closure([model_id]):
            record = self.registry.get(member)
            if record is None:
                continue
            message = record.open_message()
            if message.buffers or size + len(message.header) > INLINE_STATE_MAX:
                continue
            opens.append(message.header)
            size += len(message.header)
        if not opens:
            return []
        # JSON has "<" only inside strings, where \u003c means the same: no "</script>" inside.
        text = ("[" + ",".join(opens) + "]").replace("<", "\\u003c")
        return [ft("script", NotStr(text), type="application/json", cls="fh-anywidget-state")]

    def _code_preloads(self, model_id: str) -> list[FT]:
        """Fetch the widget's (and its children's) modules while the socket is still opening."""
        urls = []
        for member in self.registry.closure([model_id]):
            record = self.registry.get(member)
            name = record.code_fields()["esm"] if record is not None else None
            url = self.server.code_url(name) if name and "/" not in name else None
            if url and url not in urls:
                urls.append(url)
        return [ft("link", rel="modulepreload", href=url) for url in urls]

    def _watch(self, model_id: str, widget: Any) -> None:
        """Dev mode: watch the code files of ``widget`` and of the widgets it references."""
        dev.watch(widget)
        for child_id in self.registry.closure([model_id]):
            record = self.registry.get(child_id)
            child = record.widget() if record is not None else None
            if child is not None:
                dev.watch(child)

    def _page(self) -> Page:
        scope = current_scope.get()
        if scope is not None and scope.table is self.pages:
            return scope.page
        return self.pages.create()  # rendered outside a request: a page of its own

    # ------------------------------------------------------------ htmx (docs/htmx.md)

    def push(self, target: Any, *fragments: Any, to: htmx.Audience = "all") -> int:
        """Swap FT ``fragments`` into the pages ``target`` designates, by id, htmx out-of-band
        style (``hx-swap-oob`` on a fragment picks another swap). ``target``: a widget (every page
        showing it; ``to="origin"``: only the browser whose change is being applied), a
        :class:`Page`, or a request (the document that sent it). Returns how many documents."""
        return htmx.push(self, target, fragments, to)

    def trigger(self, target: Any, name: str, detail: Any = None, *,
                selector: str | None = None, to: htmx.Audience = "all") -> int:
        """Fire DOM event ``name`` on those pages (on ``selector``'s element, else on body),
        for ``hx-trigger="name from:body"``. Returns how many documents."""
        return htmx.trigger(self, target, name, detail, selector=selector, to=to)

    def pages_of(self, request: Any) -> list[Page]:
        """The pages of the document that sent an htmx ``request`` (its tokens travel in the
        ``FH-Anywidget-Pages`` header), refused if they belong to another session."""
        return htmx.pages_of(self, request)

    def widgets(self, request: Any, kind: type | None = None) -> list[Any]:
        """The widgets, page-owned or shared, that the requesting document shows."""
        return htmx.widgets_of(self, request, kind)

    def close(self) -> None:
        """Stop the page sweeper; the host no longer renders widgets outside its requests."""
        self.pages.stop()
        unregister_host(self)


class _Middleware:
    def __init__(self, app: Any, server: HostServer) -> None:
        self._app = server.middleware(app)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)


def _call_display_hook(widget: Any) -> str | None:
    """Jupyter's ``display()`` asks a widget for its mime bundle; do the same (its result is not
    needed: the view is the model). Returns the error text if the hook raised."""
    hook = getattr(widget, "_repr_mimebundle_", None)
    if not callable(hook):
        return None
    try:
        hook(include=None, exclude=None)
    except Exception as exc:
        log.exception("%s._repr_mimebundle_ raised while the widget was shown", type(widget).__name__)
        return f"{type(widget).__name__}._repr_mimebundle_ raised {type(exc).__name__}: {exc}"
    return None
