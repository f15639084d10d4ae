"""Shared fixtures: a real uvicorn server on 127.0.0.1 and real headless Chromium.

Every browser context blocks requests that would leave the machine and records them, and
collects console errors; tests assert on both through the ``page`` fixture's helpers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest
import uvicorn

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS}


class LiveServer:
    """uvicorn serving one app in a background thread, as a deployment would run it."""

    def __init__(self, app, **options) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        options.setdefault("ws_per_message_deflate", False)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def serve() -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(app, **options) -> LiveServer:
        servers.append(LiveServer(app, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition"):
    """Poll a Python-side condition until it holds (the Python twin of Playwright's waits)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def writes_settled(page) -> None:
    """Wait until the page has no write in flight: every update and custom message it sent has
    been applied by Python and acknowledged. (A view shows its own write at once; Python sees
    it a round trip later, so a test that compares the two, or sets a value from Python after a
    drag, must first wait for this.)"""
    page.wait_for_function(
        "() => [...fhAnywidget.runtimes.values()].every((r) => r.connection.unacked.size === 0)")


def _stay_on_the_machine(context) -> None:
    """Refuse every request that would leave the machine, and remember it."""
    context.offsite_requests = []

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            r.continue_()
        else:
            context.offsite_requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)


@pytest.fixture
def context(context):
    """Browser context that refuses to leave the machine and remembers every attempt."""
    _stay_on_the_machine(context)
    yield context
    assert not context.offsite_requests, f"requests left the machine: {context.offsite_requests}"


@pytest.fixture
def new_context(browser) -> Iterator[Callable]:
    """Open more browser contexts (other browsers: other sessions), offline like ``context``."""
    made = []

    def open_context():
        made.append(browser.new_context())
        _stay_on_the_machine(made[-1])
        return made[-1]

    yield open_context
    for context in made:
        offsite = context.offsite_requests
        context.close()
        assert not offsite, f"requests left the machine: {offsite}"


@pytest.fixture
def page(context):
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
