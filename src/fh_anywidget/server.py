"""Plain Starlette/ASGI parts of the host: the page socket, code assets, the browser runtime,
and the middleware that gives each HTTP request its page. Nothing here knows FastHTML."""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from .budget import InboundBudget
from .clients import CLIENT_ID_MAX
from .connection import Connection, ConnectionLimits, Shared
from .models import ModelRegistry, making_private
from .pages import PageTable, RequestScope, current_scope
from .serial import shared_scheduler

#: Close code of a handshake refused before accept (the browser sees HTTP 403).
CLOSE_POLICY = 1008

log = logging.getLogger("fh_anywidget")

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


def _runtime_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        h.update(path.relative_to(STATIC_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


#: May this socket handshake proceed? Called with the WebSocket's ASGI scope (session, headers,
#: cookies are there) before it is accepted; may be async. See docs/security.md.
AuthFn = Callable[[Scope], "bool | Awaitable[bool]"]

#: Who a request or socket belongs to, or None for anonymous; called with ``create=True`` when a
#: page is made (it may then mint an identity, e.g. in the session) and ``False`` for sockets.
IdentityFn = Callable[[Scope, bool], "str | None"]


@dataclass
class HostServer:
    registry: ModelRegistry
    pages: PageTable
    path: str
    limits: ConnectionLimits
    identity: IdentityFn
    allowed_origins: Sequence[str] | None = None
    auth: AuthFn | None = None
    #: bytes of browser messages held at once, in all; one identity may hold 3/4 (budget.py)
    max_inbound: int = 1024 * 1024 * 1024

    def __post_init__(self) -> None:
        self.connections: set[Connection] = set()  # live page sockets (for shutdown, tests)
        self.runtime_version = _runtime_digest()
        self.shared = Shared(self.registry, self.pages, self.limits, shared_scheduler(),
                             InboundBudget(self.max_inbound, self.max_inbound * 3 // 4))

    @property
    def asset_prefix(self) -> str:
        return f"{self.path}/assets"

    def code_url(self, name: str | None) -> str | None:
        """The URL of a module or stylesheet as the wire names it (an asset name, or a URL)."""
        if name is None or "/" in name:
            return name
        return f"{self.asset_prefix}/{name}"

    @property
    def runtime_url(self) -> str:
        return f"{self.path}/runtime/{self.runtime_version}/index.js"

    @property
    def runtime_module_urls(self) -> list[str]:
        """Every module of the browser runtime, so a page can preload them all at once instead
        of discovering them import by import (a waterfall of round trips before first render)."""
        return [f"{self.path}/runtime/{self.runtime_version}/{p.name}"
                for p in sorted(STATIC_DIR.glob("*.js"))]

    @property
    def socket_path(self) -> str:
        return f"{self.path}/ws"

    def routes(self) -> list[BaseRoute]:
        return [
            WebSocketRoute(self.socket_path, self.socket_endpoint),
            Route(f"{self.path}/assets/{{filename}}", self.asset_endpoint),
            Route(f"{self.path}/runtime/{{version}}/{{filename:path}}", self.runtime_endpoint),
        ]

    # ------------------------------------------------------------ endpoints

    async def asset_endpoint(self, request: Request) -> Response:
        asset = self.registry.assets.get(request.path_params["filename"])
        if asset is None:
            return PlainTextResponse("unknown widget asset", status_code=404)
        return Response(asset.text, media_type=asset.media_type,
                        headers={"Cache-Control": IMMUTABLE})

    async def runtime_endpoint(self, request: Request) -> Response:
        name = request.path_params["filename"]
        file = STATIC_DIR / name
        # subdirectories hold the classic front end (static/classic/, static/vendor/classic/)
        if any(part.startswith(".") or not part for part in name.split("/")) or not file.is_file():
            return PlainTextResponse("not found", status_code=404)
        cache = IMMUTABLE if request.path_params["version"] == self.runtime_version else "no-cache"
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(file.read_bytes(), media_type=media, headers={"Cache-Control": cache})

    async def socket_endpoint(self, websocket: WebSocket) -> None:
        refusal = await self._refusal(websocket)
        if refusal is not None:  # closing before accept answers the handshake with HTTP 403
            log.warning("refused a page socket from %s: %s", _peer(websocket), refusal)
            await websocket.close(CLOSE_POLICY, refusal)
            return
        identity = self.identity(websocket.scope, False)
        client_id = websocket.query_params.get("client")
        client = self.pages.clients.get(identity, client_id) if client_id else None
        await websocket.accept()
        connection = Connection(websocket, self.shared, identity, client)
        self.connections.add(connection)
        try:
            await connection.run(websocket.query_params.get("page"))
        finally:
            self.connections.discard(connection)

    async def _refusal(self, websocket: WebSocket) -> str | None:
        """Why this handshake must be refused before accept, or None: origin, app auth, page."""
        if not self._origin_allowed(websocket):
            return f"origin {websocket.headers.get('origin')!r} not allowed"
        if self.auth is not None:
            verdict = self.auth(websocket.scope)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            if not verdict:
                return "not authenticated"
        client_id = websocket.query_params.get("client")
        if client_id is not None and not 0 < len(client_id) <= CLIENT_ID_MAX:
            return "bad client id"
        token = websocket.query_params.get("page")
        page = self.pages.get(token) if token else None
        if page is not None and page.identity != self.identity(websocket.scope, False):
            return "page token belongs to another session"
        return None

    def _origin_allowed(self, websocket: WebSocket) -> bool:
        origin = websocket.headers.get("origin")
        if origin is None:  # not a browser: no cross-site hijacking possible
            return True
        if self.allowed_origins is not None and origin in self.allowed_origins:
            return True
        scheme = "https" if websocket.url.scheme == "wss" else "http"
        return origin == f"{scheme}://{websocket.headers.get('host', '')}"

    # ------------------------------------------------------------ request scope

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def with_request_page(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            request_scope = RequestScope(self.pages, lambda: self.identity(scope, True))
            scope_token = current_scope.set(request_scope)
            private_token = making_private.set(True)  # widgets made now are this visitor's
            try:
                await app(scope, receive, send)
            finally:
                making_private.reset(private_token)
                current_scope.reset(scope_token)

        return with_request_page


def _peer(websocket: WebSocket) -> str:
    client = websocket.client
    return f"{client.host}:{client.port}" if client else "?"
