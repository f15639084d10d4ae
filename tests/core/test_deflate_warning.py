"""uvicorn negotiates permessage-deflate unless told not to, and that makes large transfers
many times slower; the host cannot turn it off from inside the app, so it says once how to."""

from __future__ import annotations

import logging

import pytest

from tests.apps import serve_widgets
from tests.conftest import wait_until
from tests.widgets.counter import Counter

pytestmark = pytest.mark.browser

WARNING = "negotiated permessage-deflate"


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "fh_anywidget" and WARNING in r.getMessage()]


def test_a_compressed_socket_is_warned_about_once_with_the_fix(serve, new_context, caplog):
    caplog.set_level(logging.WARNING, logger="fh_anywidget")
    url = serve_widgets(lambda app: serve(app, ws_per_message_deflate=True), Counter())
    for _ in range(2):  # two documents, two sockets: still one warning
        page = new_context().new_page()
        page.goto(url)
        page.locator("fh-anywidget button").wait_for()
        wait_until(lambda: warnings(caplog), what="the deflate warning")
    (text,) = warnings(caplog)
    assert "ws_per_message_deflate=False" in text and "--ws-per-message-deflate false" in text


def test_an_uncompressed_socket_is_not_warned_about(serve, page, caplog):
    caplog.set_level(logging.WARNING, logger="fh_anywidget")
    counter = Counter()
    page.goto(serve_widgets(serve, counter))
    page.locator("fh-anywidget button").click()
    # The browser sends `transport` before anything else on the socket, and the server reads a
    # socket in order: once the click is applied, a warning would have been logged.
    wait_until(lambda: counter.value == 1, what="the click reaching Python")
    assert warnings(caplog) == []
