"""Pages: what one rendered response may touch, and what it answers for.

Every response that renders widgets gets a :class:`Page` with an unguessable token. The token is
a capability: a socket that presents it may see the page's widgets (and the models they
reference), nothing else. A page owns the private models it *showed* (rendered, or referenced
by what it rendered; see ``models.Ownership``): once no socket has held it for ``grace`` seconds
it retires, closing them unless another live page shows them, which then inherits them.

Pages are bounded: at most ``max_pages`` in the process and ``max_pages_per_identity`` per
session; past either, the oldest page (of that session) retires early, with a log line.
"""

from __future__ import annotations

import contextvars
import enum
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clients import ClientTable
from .models import ModelRegistry

log = logging.getLogger("fh_anywidget")


class PageState(enum.Enum):
    LIVE = "live"
    RETIRED = "retired"


class Page:
    def __init__(self, table: PageTable, identity: str | None) -> None:
        self.table = table
        self.token = secrets.token_urlsafe(24)
        self.identity = identity  # who the page was rendered for (see docs/security.md)
        self.state = PageState.LIVE
        self.roots: list[str] = []  # models the page rendered, in order
        self.owned: set[str] = set()  # private models it answers for (kept by the registry)
        self.kept: list[Any] = []  # rendered objects, kept alive as long as the page
        self.created = time.monotonic()
        self.idle_since = self.created
        self._connections: set[Any] = set()  # the sockets holding the page now
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Page {self.token[:6]}… roots={len(self.roots)} owned={len(self.owned)}>"

    @property
    def expired(self) -> bool:
        return self.state is PageState.RETIRED

    def show(self, model_id: str, obj: Any) -> None:
        """The page renders ``obj`` (model ``model_id``): it may be seen through this page's
        token, and the page claims it and the private models it references."""
        with self._lock:
            if model_id not in self.roots:
                self.roots.append(model_id)
                self.kept.append(obj)
        self.table.registry.claim([model_id], self)

    def attached(self, connection: Any) -> None:
        with self._lock:
            self._connections.add(connection)

    def detached(self, connection: Any) -> None:
        with self._lock:
            self._connections.discard(connection)
            if not self._connections:
                self.idle_since = time.monotonic()

    def holders(self) -> list[Any]:
        """The sockets holding the page now."""
        with self._lock:
            return list(self._connections)

    @property
    def held(self) -> bool:
        with self._lock:
            return bool(self._connections)


@dataclass
class PageLimits:
    #: pages alive in the process; past it the oldest retires
    max_pages: int = 20_000
    #: pages alive per identity (session); past it that session's oldest retires. Pages with
    #: no identity (an app without sessions) are bounded by ``max_pages`` only.
    max_pages_per_identity: int = 200


class PageTable:
    """All live pages of one host, and the sweeper that retires idle ones."""

    def __init__(self, registry: ModelRegistry, grace: float,
                 limits: PageLimits | None = None) -> None:
        self.registry = registry
        self.grace = grace
        self.limits = limits or PageLimits()
        self.host: Any = None  # the WidgetHost these pages render for
        self.pages: dict[str, Page] = {}  # insertion order = creation order
        self._per_identity: dict[str, int] = {}
        self.clients = ClientTable(grace)  # browser runtimes' delivery state (clients.py)
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()

    def create(self, identity: str | None = None) -> Page:
        page = Page(self, identity)
        with self._lock:
            self.pages[page.token] = page
            if identity is not None:
                self._per_identity[identity] = self._per_identity.get(identity, 0) + 1
            evicted = self._over_limits(page)
            if self._sweeper is None:
                self._sweeper = threading.Thread(target=self._sweep_forever, daemon=True,
                                                 name="fh-anywidget-pages")
                self._sweeper.start()
        if evicted:
            self._retire_all(evicted)
        return page

    def _over_limits(self, new: Page) -> list[Page]:
        """Take out the pages that must retire early for the limits to hold (oldest first)."""
        evicted: list[Page] = []
        identity, limit = new.identity, self.limits.max_pages_per_identity
        if identity is not None and self._per_identity[identity] > limit:
            evicted = [p for p in self.pages.values() if p.identity == identity][:1]
            log.warning("session %s… holds more than max_pages_per_identity=%d pages: "
                        "retired its oldest", identity[:6], limit)
        excess = len(self.pages) - len(evicted) - self.limits.max_pages
        if excess > 0:
            evicted.extend([p for p in self.pages.values() if p not in evicted][:excess])
            log.warning("more than max_pages=%d pages are alive: retired the oldest",
                        self.limits.max_pages)
        for page in evicted:
            self._remove(page)
        return evicted

    def _remove(self, page: Page) -> None:
        del self.pages[page.token]
        if page.identity is not None:
            left = self._per_identity[page.identity] - 1
            if left:
                self._per_identity[page.identity] = left
            else:
                del self._per_identity[page.identity]

    def get(self, token: str) -> Page | None:
        return self.pages.get(token)

    def sweep(self, now: float | None = None) -> int:
        """Retire pages idle for longer than the grace period; return how many went."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [p for p in self.pages.values()
                    if not p.held and now - p.idle_since >= self.grace]
            for page in idle:
                self._remove(page)
        if idle:
            self._retire_all(idle)
        self.clients.sweep(now)
        return len(idle)

    def _retire_all(self, pages: list[Page]) -> None:
        # who still shows what: computed once per batch, not once per retired page
        heirs: dict[str, Page] = {}
        for live in list(self.pages.values()):
            for model_id in self.registry.closure(list(live.roots)):
                heirs.setdefault(model_id, live)
        for page in pages:
            self._retire(page, heirs)

    def _retire(self, page: Page, heirs: dict[str, Page]) -> None:
        page.state = PageState.RETIRED
        for connection in page.holders():  # evicted while held: those sockets let it go
            connection.page_retired(page)
        for model_id in sorted(page.owned):
            heir = heirs.get(model_id)
            if heir is not None:  # another live page shows it: that page answers for it now
                self.registry.transfer(model_id, heir)
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


current_scope: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "fh_anywidget_request_scope", default=None
)
