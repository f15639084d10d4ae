"""drawdata ScatterWidget: 3,000 points (~760 KB of JSON state) drawn with a mouse brush."""

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.corpus.conftest import console_problems

drawdata = pytest.importorskip("drawdata")

#: drawdata itself sets `<svg height="auto">` (scatter_widget.js: `.attr("height", "auto")`),
#: which Chromium reports as a console error in any host, Jupyter included.
SVG_AUTO = 'attribute height: Expected length, "auto"'


def points(n: int) -> list[dict]:
    rng = np.random.default_rng(5)
    xy = rng.uniform([40, 40], [760, 360], size=(n, 2))
    return [{"x": float(x), "y": float(y), "color": "#1f77b4", "label": "a", "batch": 0}
            for x, y in xy]


def test_scatter_widget_draw_and_replace(show):
    shown = show(lambda: drawdata.ScatterWidget(data=points(3000)))
    page = shown.page
    dots = page.locator("svg.dd-scatter-svg circle.drawn")
    canvas = page.locator("svg.dd-scatter-svg")
    expect(canvas).to_be_visible()
    wait_until(lambda: dots.count() >= 3000, what="3,000 points drawn")
    before = len(shown.widget.data)

    # A person paints with the brush: press, drag across the canvas, release.
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for i in range(1, 20):
        page.mouse.move(box["x"] + box["width"] * (0.3 + i * 0.02), box["y"] + box["height"] * 0.5)
    page.mouse.up()
    wait_until(lambda: len(shown.widget.data) > before, what="Python to see the new points")

    # Python replaces the data: the browser redraws exactly those points.
    shown.widget.data = points(25)
    wait_until(lambda: dots.count() == 25, what="the browser to show the 25 points")
    assert not console_problems(page, also=[SVG_AUTO]), page.console_errors
