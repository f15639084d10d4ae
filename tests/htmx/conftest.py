"""Helpers for the htmx tests: several tabs of one browser context (one session)."""

from collections.abc import Callable

import pytest


@pytest.fixture
def new_tab(context) -> Callable:
    """Open another tab in the test's context; it records console errors like ``page`` does."""

    def open_tab():
        tab = context.new_page()
        tab.console_errors = []
        tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
        tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
        return tab

    return open_tab
