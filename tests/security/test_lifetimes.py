"""Page widgets are closed and released once their page's last socket has been gone for the grace
period; shared widgets live on. 1,000 pages, each rendered over HTTP and attached over a socket."""

from __future__ import annotations

import gc
import sys
import weakref

import ipywidgets
from fasthtml.common import Div, Titled

from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.peer import Visitor
from tests.security.widgets import Guarded

PAGES = 1_000
#: allocated memory blocks that may remain after 1,000 pages came and went (caches, interned
#: strings, pool threads' state); one page's widget alone takes several hundred blocks
RESIDUE = 10 * PAGES


def test_thousand_pages_are_collected(serve):
    app, rt, host = make_app(grace=1.0)
    shared = Guarded(value=100)
    alive: list[weakref.ref] = []
    page_models: list[str] = []  # the registry is process-wide: check our own models, not a count

    @rt("/")
    def index():
        mine = Guarded(items=list(range(200)))  # ~ a few KiB per page
        alive.append(weakref.ref(mine))
        page_models.append(mine.model_id)
        return Titled("Page", Div(mine), Div(shared))

    server = serve(app)
    visitor = Visitor(server.url)

    def visit(n: int) -> None:
        for _ in range(n):
            token, (mine, _) = visitor.page()
            with visitor.peer(token, client=token[:16]) as p:
                assert p.attached()["type"] == "attached"
                p.update(mine, {"value": 7}, seq=1)
                p.until(lambda m: m["type"] == "ack")

    def settled() -> bool:
        gc.collect()
        return not host.pages.pages and not host.pages.clients.clients and all(
            r() is None for r in alive)

    visit(20)  # warm up caches, thread pools, imports
    wait_until(settled, what="warm-up pages collected")
    baseline = sys.getallocatedblocks()
    visit(PAGES)
    grown = sys.getallocatedblocks() - baseline
    wait_until(settled, timeout=30, what="every page's widget to be collected")
    residue = sys.getallocatedblocks() - baseline
    print(f"\n{PAGES} pages: +{grown} memory blocks while visiting, "
          f"{residue:+} after the grace period (bound {RESIDUE})")
    assert len(alive) == PAGES + 20
    assert not [m for m in page_models if host.registry.get(m) is not None]
    assert not any(r() is not None and r().model_id in ipywidgets.Widget._active_widgets
                   for r in alive)
    assert residue < RESIDUE
    # the shared widget lived through it all and still works
    token, (_, shared_id) = visitor.page()
    assert shared_id == shared.model_id and host.registry.get(shared_id) is not None
    with visitor.peer(token) as p:
        p.attached()
        p.update(shared_id, {"value": 5})
        wait_until(lambda: shared.value == 5)
    host.close()
