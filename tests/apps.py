"""FastHTML apps for tests: offline (htmx served locally, no CDN headers) with a WidgetHost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fasthtml.common import Div, FileResponse, Link, Script, fast_app

from fh_anywidget import WidgetHost

HTMX = Path(os.environ.get("FH_ANYWIDGET_HTMX",
                           Path(__file__).parents[1] / ".cache" / "js" / "htmx.min.js"))

HTMX_WS = Path(os.environ.get("FH_ANYWIDGET_HTMX_WS",
                              Path(__file__).parents[1] / ".cache" / "js" / "htmx-ext-ws.js"))


def make_app(htmx: bool = True, htmx_ws: bool = False, **host_options: Any):
    """Return (app, rt, host) for a page that loads nothing from outside the machine;
    ``htmx_ws`` adds htmx's ws extension."""
    hdrs = [Link(rel="icon", href="data:,")]  # no favicon request
    if htmx:
        hdrs.append(Script(src="/_test/htmx"))
    if htmx_ws:
        hdrs.append(Script(src="/_test/htmx-ext-ws"))
    app, rt = fast_app(default_hdrs=False, hdrs=hdrs)
    host = WidgetHost(app, **host_options)

    @rt("/_test/htmx")
    def htmx_js():
        return FileResponse(HTMX, media_type="text/javascript")

    @rt("/_test/htmx-ext-ws")
    def htmx_ws_js():
        return FileResponse(HTMX_WS, media_type="text/javascript")

    return app, rt, host


def serve_widgets(serve: Any, *children: Any, **host_options: Any) -> str:
    """Serve a page at ``/`` showing ``children`` (made once, so every visit shows the same
    widgets) and return the server's URL."""
    app, rt, _ = make_app(**host_options)

    @rt("/")
    def index():
        return Div(*children)

    return serve(app).url
