"""Pages: what one rendered response may touch, and what it owns.

Every response that renders widgets gets a :class:`Page` with an unguessable token. The token is
a capability: a socket that presents it may see the page's widgets (and the models they
reference), nothing else. Widgets created while the response was being made belong to the page
and are closed once no socket has held it for a grace period.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from .clients import ClientTable
from .models import ModelRecord, ModelRegistry

log = logging.getLogger("fh_anywidget")


class Page:
    def __init__(self, table: PageTable, identity: str | None) -> None:
        self.table = table
        self.token = secrets.token_urlsafe(24)
        self.identity = identity  # who the page was rendered for (see docs/security.md)
        self.roots: list[str] = []  # models the page rendered, in order
        self.owned: set[str] = set()  # models created while the page was being made
        self.kept: list[Any] = []  # rendered objects, kept alive as long as the page
        self.sockets = 0
        self.connections: set[Any] = set()  # the sockets holding the page now (push targets)
        self.idle_since: float = time.monotonic()
        self.expired = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Page {self.token[:6]}… roots={len(self.roots)} owned={len(self.owned)}>"

    def adopt(self, record: ModelRecord) -> None:
        with self._lock:
            self.owned.add(record.id)

    def grant(self, model_id: str, obj: Any) -> None:
        with self._lock:
            if model_id not in self.roots:
                self.roots.append(model_id)
                self.kept.append(obj)

    def attached(self, connection: Any = None) -> None:
        with self._lock:
            self.sockets += 1
            if connection is not None:
                self.connections.add(connection)

    def holders(self) -> list[Any]:
        """The sockets holding the page now."""
        with self._lock:
            return list(self.connections)

    def detached(self, connection: Any = None) -> None:
        with self._lock:
            self.sockets -= 1
            self.connections.discard(connection)
            if self.sockets == 0:
                self.idle_since = time.monotonic()


class PageTable:
    """All live pages of one host, and the sweeper that retires idle ones."""

    def __init__(self, registry: ModelRegistry, grace: float) -> None:
        self.registry = registry
        self.grace = grace
        self.host: Any = None  # the WidgetHost these pages render for
        self.pages: dict[str, Page] = {}
        self.clients = ClientTable(grace)  # browser runtimes' delivery state (clients.py)
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()

    def create(self, identity: str | None = None) -> Page:
        page = Page(self, identity)
        with self._lock:
            self.pages[page.token] = page
            if self._sweeper is None:
                self._sweeper = threading.Thread(target=self._sweep_forever, daemon=True,
                                                 name="fh-anywidget-pages")
                self._sweeper.start()
        return page

    def get(self, token: str) -> Page | None:
        return self.pages.get(token)

    def sweep(self, now: float | None = None) -> int:
        """Retire pages idle for longer than the grace period; return how many went."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [p for p in self.pages.values()
                    if p.sockets == 0 and now - p.idle_since >= self.grace]
            for page in idle:
                del self.pages[page.token]
        if idle:
            # who still shows what: computed once per sweep, not once per retired page
            holders = {m: p for p in list(self.pages.values())
                       for m in self.registry.closure(p.roots)}
            for page in idle:
                self._retire(page, holders)
        self.clients.sweep(now)
        return len(idle)

    def _retire(self, page: Page, holders: dict[str, Page]) -> None:
        page.expired = True
        for model_id in sorted(page.owned):
            heir = holders.get(model_id)
            if heir is not None:  # another live page shows it: that page answers for it now
                heir.owned.add(model_id)
            else:
                self.registry.close(model_id)
        page.kept.clear()
        log.debug("retired %r", page)

    def _sweep_forever(self) -> None:
        while not self._stop.wait(max(0.05, min(self.grace / 4, 5.0))):
            try:
                self.sweep()
            except Exception:
                log.exception("page sweep failed")

    def stop(self) -> None:
        self._stop.set()


class RequestScope:
    """The page of the HTTP request being handled, made on first need."""

    def __init__(self, table: PageTable, identity: Callable[[], str | None]) -> None:
        self.table = table
        self._identity = identity
        self._page: Page | None = None
        self._lock = threading.Lock()

    @property
    def page(self) -> Page:
        with self._lock:
            if self._page is None:
                self._page = self.table.create(self._identity())
            return self._page

    @property
    def made(self) -> bool:
        """Whether anything rendered in this scope needed a page."""
        return self._page is not None

    def adopt(self, record: ModelRecord) -> None:
        self.page.adopt(record)


current_scope: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "fh_anywidget_request_scope", default=None
)
