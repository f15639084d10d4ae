"""FastHTML apps for tests: offline (htmx served locally, no CDN headers) with a WidgetHost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fasthtml.common import FileResponse, Link, Script, fast_app

from fh_anywidget import WidgetHost

HTMX = Path(os.environ.get("FH_ANYWIDGET_HTMX",
                           Path(__file__).parents[1] / ".cache" / "js" / "htmx.min.js"))


def make_app(htmx: bool = True, **host_options: Any):
    """Return (app, rt, host) for a page that loads nothing from outside the machine."""
    hdrs = [Link(rel="icon", href="data:,")]  # no favicon request
    if htmx:
        hdrs.append(Script(src="/_test/htmx"))
    app, rt = fast_app(default_hdrs=False, hdrs=hdrs)
    host = WidgetHost(app, **host_options)

    @rt("/_test/htmx")
    def htmx_js():
        return FileResponse(HTMX, media_type="text/javascript")

    return app, rt, host
