"""fh-anywidget demo: run `bash scripts/demo.sh`, then open http://127.0.0.1:5001."""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import uvicorn
from fasthtml.common import A, FileResponse, Li, Link, P, Script, Titled, Ul, fast_app

import demo.pages
from fh_anywidget import WidgetHost

HTMX = Path(os.environ.get("FH_ANYWIDGET_HTMX", Path(__file__).parents[1] / ".cache/js/htmx.min.js"))

app, rt = fast_app(
    default_hdrs=False,  # FastHTML's defaults come from a CDN; this demo runs offline
    hdrs=[Link(rel="icon", href="data:,"), Script(src="/_demo/htmx")],
)
host = WidgetHost(app)


@rt("/_demo/htmx")
def htmx_js():
    return FileResponse(HTMX, media_type="text/javascript")


pages = [importlib.import_module(f"demo.pages.{m.name}")
         for m in pkgutil.iter_modules(demo.pages.__path__)]
pages.sort(key=lambda m: getattr(m, "ORDER", 50))
for module in pages:
    module.register(rt, host)


@rt("/")
def index():
    return Titled(
        "fh-anywidget demo",
        P("Unmodified anywidget widgets, live in a FastHTML app — no Jupyter kernel or server."),
        Ul(*[Li(A(m.TITLE, href=m.PATH)) for m in pages]),
    )


def main() -> None:
    port = int(os.environ.get("PORT", "5001"))
    print(f"fh-anywidget demo on http://127.0.0.1:{port}")
    # Widget traffic is mostly binary and incompressible: permessage-deflate only costs time.
    uvicorn.run(app, host="127.0.0.1", port=port, ws_per_message_deflate=False)


if __name__ == "__main__":
    main()
