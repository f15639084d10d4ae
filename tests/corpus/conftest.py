"""Helpers for the compatibility corpus: real third-party widgets, unmodified, in Chromium.

Each test renders one widget through ``WidgetHost`` in a FastHTML page, drives it like a
person would, changes it from Python, and checks the console is clean. The ``context`` fixture
(tests/conftest.py) already fails a test whose page tried to leave the machine.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fasthtml.common import Div, Titled

from tests.apps import make_app

#: Console lines that are not errors of the widget or host (see docs/compatibility.md).
KNOWN_NOISE = ("GPU stall due to ReadPixels",)


def console_problems(page, also: Iterable[str] = ()) -> list[str]:
    """Console errors other than known-harmless noise (plus ``also``, each with a reason)."""
    noise = (*KNOWN_NOISE, *also)
    return [e for e in page.console_errors if not any(n in e for n in noise)]


class Shown:
    """A live page showing widgets made by ``factory`` (one set per page load)."""

    def __init__(self, serve, page, factory: Callable[[], Any], path: str = "/") -> None:
        app, rt, self.host = make_app()
        self.made: list[Any] = []

        @rt(path)
        def index():
            made = factory()
            self.made.append(made)
            widgets = made if isinstance(made, tuple) else (made,)
            return Titled("corpus", *[Div(w, cls="corpus-item") for w in widgets])

        self.server = serve(app)
        self.page = page
        page.goto(self.server.url + path)

    @property
    def widget(self) -> Any:
        return self.made[-1]


@pytest.fixture
def show(serve, page):
    """``show(factory)`` → a :class:`Shown` page; the widget(s) are created per request."""
    return lambda factory, **kw: Shown(serve, page, factory, **kw)


def pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """The RGB colour of one pixel of a screenshot."""
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((x, y))
