"""One frame for every demo page: the tab title and the heading are the name the index links
by, and every page leads back to the index."""

from __future__ import annotations

from typing import Any

from fasthtml.common import H1, A, Main, Nav, Title


def layout(title: str, *content: Any) -> tuple[Any, Any]:
    """A page titled and headed ``title`` with a link back to the index above it."""
    return Title(title), Main(Nav(A("← all demos", href="/", cls="back")), H1(title), *content)
