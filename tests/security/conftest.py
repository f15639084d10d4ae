"""A site with per-request and shared widgets, served live, for attacks at the protocol level."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fasthtml.common import Div, Titled

from tests.apps import make_app
from tests.security.peer import Visitor
from tests.security.widgets import Guarded


@dataclass
class Site:
    url: str
    host: Any
    shared: Guarded
    made: list[Guarded] = field(default_factory=list)  # per-request widgets, in request order

    def visitor(self) -> Visitor:
        return Visitor(self.url)


def build_site(serve, **host_options) -> Site:
    app, rt, host = make_app(**host_options)
    shared = Guarded(value=100)  # created outside any request: shared by every page showing it
    site = Site("", host, shared)

    @rt("/")
    def index():
        mine = Guarded(value=1)
        site.made.append(mine)
        return Titled("Mine and shared", Div(mine), Div(shared))

    @rt("/mine")
    def only_mine():
        mine = Guarded(value=1)
        site.made.append(mine)
        return Titled("Mine", mine)

    site.url = serve(app).url
    return site


@pytest.fixture
def site(serve) -> Site:
    yield (s := build_site(serve))
    s.host.close()
