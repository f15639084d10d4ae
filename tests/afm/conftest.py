"""Helpers for the AFM conformance suite: show widgets on a real page, read what they recorded."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fasthtml.common import Div, Title

from tests.apps import make_app
from tests.conftest import wait_until


class Shown:
    """A live page showing widgets: the host, the server and the Playwright page."""

    def __init__(self, host: Any, server: Any, page: Any) -> None:
        self.host, self.server, self.page = host, server, page

    def events(self) -> list[str]:
        return self.page.evaluate("globalThis.afm ?? []")

    def wait_event(self, event: str) -> None:
        self.page.wait_for_function("e => (globalThis.afm ?? []).includes(e)", arg=event)

    def wait_events(self, count: int) -> list[str]:
        self.page.wait_for_function("n => (globalThis.afm ?? []).length >= n", arg=count)
        return self.events()


@pytest.fixture
def show(serve, page) -> Callable[..., Shown]:
    """``show(build, before=None, **host_options)``: serve a page whose body is ``build()`` (or
    ``build(host)``, for a build that takes the host) and open it, running the script
    ``before`` first."""

    def show(build: Callable[[], Iterable[Any]], before: str | None = None,
             **host_options: Any) -> Shown:
        app, rt, host = make_app(**host_options)

        @rt("/")
        def index():
            items = build(host) if inspect.signature(build).parameters else build()
            return Title("AFM"), Div(*items, id="root")

        server = serve(app)
        if before is not None:  # a script that runs before the page's own
            page.add_init_script(before)
        page.set_default_timeout(10_000)
        page.goto(server.url)
        return Shown(host, server, page)

    return show


@pytest.fixture
def browser_log(caplog) -> Callable[[str], logging.LogRecord]:
    """``browser_log(text)`` waits until the server logged a browser report containing text."""
    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")

    def find(text: str) -> logging.LogRecord:
        def match():
            for record in caplog.records:
                if record.name == "fh_anywidget.browser" and text in record.getMessage():
                    return record
            return None

        return wait_until(match, what=f"the server to log {text!r}")

    return find
