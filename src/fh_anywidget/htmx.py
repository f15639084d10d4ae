"""Widgets and htmx together: server-rendered fragments and DOM events pushed to pages over their
own widget socket, and the pages (so the widgets) an htmx request comes from.

Widget → page: ``push`` renders FT fragments once (once per session when they contain widgets,
whose views need a page token that session may attach) and sends them as an ``html`` message; the
runtime swaps each top-level element in by id with htmx's out-of-band rules. ``trigger`` sends an
``event`` message the runtime dispatches as a DOM event, for ``hx-trigger="name from:body"``.

Page → widget: the runtime puts the page tokens a document holds on every same-origin htmx
request (header :data:`PAGES_HEADER`); ``pages_of`` turns them back into pages, checked against
the request's identity exactly as a socket's attach is, so a token is useless to another session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol

from fastcore.xml import to_xml

from .connection import Connection
from .models import ModelRegistry, applying_now, making_private
from .pages import Page, PageTable, RequestScope, current_scope
from .render import model_id_of
from .server import HostServer
from .wire import Outgoing, simple_message


class WidgetHost(Protocol):
    """What these functions need of the host (host.py's ``WidgetHost``)."""

    pages: PageTable
    registry: ModelRegistry
    server: HostServer

#: Request header carrying the page tokens of the document that sent an htmx request.
PAGES_HEADER = "FH-Anywidget-Pages"
_MAX_TOKENS = 256  # a document holding more pages than this is not one a person looks at

#: Who hears a push about a widget: every page showing it, or only the browser whose change
#: is being applied (falls back to every page when the change was made in Python).
Audience = Literal["all", "origin"]


def pages_of(host: WidgetHost, request: Any) -> list[Page]:
    """The live pages the browser document behind ``request`` holds, in the order it sent them."""
    tokens = request.headers.get(PAGES_HEADER, "").split()[:_MAX_TOKENS]
    identity = host.server.identity(request.scope, False)
    found: list[Page] = []
    for token in tokens:
        page = host.pages.get(token)
        if page is not None and not page.expired and page.identity == identity \
                and page not in found:
            found.append(page)
    return found


def widgets_of(host: WidgetHost, request: Any, kind: type | None = None) -> list[Any]:
    """The widgets (shared or page-owned) the requesting document shows, optionally of a type."""
    seen: set[int] = set()
    found = []
    for page in pages_of(host, request):
        for obj in list(page.kept):
            if id(obj) not in seen and (kind is None or isinstance(obj, kind)):
                seen.add(id(obj))
                found.append(obj)
    return found


def audience(host: WidgetHost, target: Any, to: Audience = "all") -> list[Connection]:
    """The sockets (browser documents) ``target`` designates: a widget, a Page, or a request."""
    if isinstance(target, Page):
        return target.holders()
    if hasattr(target, "headers") and hasattr(target, "scope"):  # a Starlette request
        return _unique(c for page in pages_of(host, target) for c in page.holders())
    model_id = model_id_of(target)
    if model_id is None:
        raise TypeError(f"cannot push to {type(target).__name__}: expected a widget, a Page "
                        "or a request")
    record = host.registry.get(model_id)
    if record is None:
        return []
    with record.lock:
        subscribers = list(record.subscribers)
    showing = [s for s in subscribers if isinstance(s, Connection) and s.shows(model_id)]
    applying = applying_now()
    if to == "origin" and applying is not None:
        return [s for s in showing if s is applying.origin]
    return showing


def push(host: WidgetHost, target: Any, fragments: Iterable[Any], to: Audience = "all") -> int:
    """Swap ``fragments`` into every document ``target`` designates; return how many."""
    sockets = audience(host, target, to)
    parts = list(fragments)
    by_identity: dict[str | None, list[Connection]] = {}
    for socket in sockets:
        by_identity.setdefault(socket.identity, []).append(socket)
    shared: Outgoing | None = None
    for identity, group in by_identity.items():
        message = shared
        if message is None:
            html, made_page = _render(host, parts, identity)
            message = simple_message("html", None, html=html)
            if not made_page:  # no widget inside: the same HTML suits every session
                shared = message
        for socket in group:
            socket.send(message)
    return len(sockets)


def trigger(host: WidgetHost, target: Any, name: str, detail: Any = None, *,
            selector: str | None = None, to: Audience = "all") -> int:
    """Dispatch DOM event ``name`` (bubbling) on ``selector``'s element, or on body."""
    sockets = audience(host, target, to)
    message = simple_message("event", None, name=name, detail=detail, target=selector)
    for socket in sockets:
        socket.send(message)
    return len(sockets)


def _render(host: WidgetHost, parts: list[Any], identity: str | None) -> tuple[str, bool]:
    """Render fragments; widgets inside get a page of the receiving session, made on need."""
    scope = RequestScope(host.pages, lambda: identity)
    scope_token = current_scope.set(scope)
    private_token = making_private.set(True)
    try:
        html = "".join(part if isinstance(part, str) else str(to_xml(part, indent=False))
                       for part in parts)
    finally:
        making_private.reset(private_token)
        current_scope.reset(scope_token)
    return html, scope.made


def _unique(items: Iterable[Connection]) -> list[Connection]:
    seen: dict[int, Connection] = {}
    for item in items:
        seen.setdefault(id(item), item)
    return list(seen.values())
