"""fh-anywidget demo: run `bash scripts/demo.sh`, then open http://127.0.0.1:5001."""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import uvicorn
from fasthtml.common import A, FileResponse, Li, Link, P, Script, Style, Titled, Ul, fast_app

import demo.pages
from fh_anywidget import WidgetHost

HTMX = Path(os.environ.get("FH_ANYWIDGET_HTMX", Path(__file__).parents[1] / ".cache/js/htmx.min.js"))

# A few lines of local CSS instead of FastHTML's CDN stylesheet: the demo runs offline.
DEMO_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 980px; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
h1, h2 { line-height: 1.2; } h2 { margin-top: 2rem; }
a { color: #0b5cad; }
table { border-collapse: collapse; } td, th { padding: .25rem .75rem; border-bottom: 1px solid #ddd; }
button { font: inherit; padding: .3rem .8rem; border-radius: 6px; border: 1px solid #999;
         background: #f6f6f6; cursor: pointer; }
input { font: inherit; }
fh-anywidget { margin: .75rem 0; }
"""

app, rt = fast_app(
    default_hdrs=False,  # FastHTML's defaults come from a CDN; this demo runs offline
    hdrs=[Link(rel="icon", href="data:,"), Script(src="/_demo/htmx"), Style(DEMO_CSS)],
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
