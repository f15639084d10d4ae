"""Classic ipywidgets in real Chromium: one server per test module, pages made per request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fasthtml.common import Div, Titled

from tests.apps import make_app
from tests.conftest import LiveServer


class Classic:
    """A live app whose routes build widgets per request. A factory returns a tuple whose first
    item is what the page shows (a widget or a list); ``open`` returns the whole tuple."""

    def __init__(self) -> None:
        self.app, self.rt, self.host = make_app()
        self.made: dict[str, Any] = {}
        self.server: LiveServer | None = None

    def route(self, path: str, factory: Callable[[], Any]) -> None:
        def index():
            made = factory()
            self.made[path] = made
            shown = made[0] if isinstance(made, tuple) else made
            widgets = shown if isinstance(shown, list) else [shown]
            return Titled("classic", *[Div(w, cls="item") for w in widgets])

        self.rt(path)(index)

    def open(self, page, path: str) -> Any:
        assert self.server is not None
        page.goto(self.server.url + path)
        return self.made[path]


@pytest.fixture(scope="module")
def classic_app() -> Iterator[Classic]:
    """Register routes with ``classic_app.route`` before the first ``open`` (the server starts
    lazily, on the module's first use)."""
    app = Classic()
    yield app
    if app.server is not None:
        app.server.stop()


@pytest.fixture
def live(classic_app: Classic) -> Classic:
    if classic_app.server is None:
        classic_app.server = LiveServer(classic_app.app)
    return classic_app
