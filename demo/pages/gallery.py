"""Real widgets from PyPI, unmodified: every installed widget of the compatibility corpus.

Install them with `pip install -e ".[corpus]"` (scripts/test.sh installs them with the tests).
A widget whose package is missing is named with a line of text instead.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from fasthtml.common import H2, Code, P, Section, Style

from demo.layout import layout

TITLE = "Gallery: widgets from PyPI"
PATH = "/gallery"
ORDER = 20


def _drawdata() -> Any:
    import drawdata

    return drawdata.ScatterWidget()


def _slider2d() -> Any:
    import wigglystuff

    return wigglystuff.Slider2D(width=260, height=260)


def _matrix() -> Any:
    import wigglystuff

    return wigglystuff.Matrix(rows=3, cols=3, mirror=True)


def _pip() -> Any:
    import wigglystuff

    return wigglystuff.Pip(wigglystuff.CircularSlider(value=40))


def _scatter() -> Any:
    import jscatter
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 20_000))
    return jscatter.Scatter(x=x, y=y, height=360).widget


def _quak() -> Any:
    import numpy as np
    import pandas as pd
    import quak

    rng = np.random.default_rng(0)
    n = 10_000
    return quak.Widget(pd.DataFrame({
        "id": np.arange(n), "score": rng.normal(size=n).round(3),
        "kind": rng.choice(["apple", "pear", "plum"], n),
    }))


def _paint() -> Any:
    import mopaint

    return mopaint.Paint(height=380, width=680)


def _graphviz() -> Any:
    import graphviz_anywidget

    return graphviz_anywidget.GraphvizAnyWidget(
        dot_source="digraph { rankdir=LR; request -> page -> socket -> model -> view; }")


def _markmap() -> Any:
    import markmap_anywidget

    return markmap_anywidget.MarkmapWidget(markdown_content=(
        "# fh-anywidget\n## Python\n### traitlets\n### comm bridge\n## Browser\n### models\n"
        "### views\n"))


#: (package to check, title, what to try, factory)
WIDGETS: list[tuple[str, str, str, Callable[[], Any]]] = [
    ("drawdata", "drawdata · ScatterWidget", "Paint points with the brush.", _drawdata),
    ("wigglystuff", "wigglystuff · Slider2D", "Drag the handle.", _slider2d),
    ("wigglystuff", "wigglystuff · Matrix", "Drag a cell sideways.", _matrix),
    ("wigglystuff", "wigglystuff · Pip + CircularSlider",
     "A widget composed inside another.", _pip),
    ("jscatter", "jupyter-scatter · 20,000 points",
     "WebGL; lasso with the toolbar, hover for tooltips.", _scatter),
    ("quak", "quak · 10,000 rows", "Click a histogram bar: SQL runs in Python (DuckDB).", _quak),
    ("mopaint", "mopaint · Paint", "Draw on the canvas.", _paint),
    ("graphviz_anywidget", "graphviz-anywidget", "Graphviz in WebAssembly; click a node.",
     _graphviz),
    ("markmap_anywidget", "markmap-anywidget", "Click a circle to fold a branch.", _markmap),
]

CSS = """
.gallery-item { margin: 1.5rem 0 2.5rem; }
.gallery-item h2 { font: 600 1.15rem system-ui, sans-serif; margin: 0 0 .25rem; }
.gallery-item p { font: .9rem system-ui, sans-serif; color: #555; margin: 0 0 .5rem; }
"""


def installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def items() -> list[Any]:
    """One section per corpus widget, made for this request (each visitor gets their own)."""
    out = []
    for package, title, hint, factory in WIDGETS:
        if installed(package):
            body = [P(hint), factory()]
        else:
            body = [P("Not installed: ", Code(f"pip install {package.replace('_', '-')}"))]
        out.append(Section(H2(title), *body, cls="gallery-item"))
    return out


def register(rt, host):
    @rt(PATH)
    def gallery_page():
        return layout(
            TITLE,
            Style(CSS),
            P("Third-party widgets from PyPI, unmodified, live over one WebSocket; Python holds "
              "the state. See docs/compatibility.md for what is checked."),
            *items(),
        )
