"""jupyter-scatter: 20,000 points as binary numpy traits, WebGL, a 2 MB module with CSS, custom
messages both ways (tooltip request → Python looks the row up → reply shown in the tooltip)."""

import math
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.corpus.conftest import console_problems, pixel

jscatter = pytest.importorskip("jscatter")
pd = pytest.importorskip("pandas")

N = 20_000


def make_scatter():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({
        "x": rng.normal(size=N), "y": rng.normal(size=N),
        "group": rng.choice(list("abc"), N), "name": [f"pt-{i}" for i in range(N)],
    })
    scatter = jscatter.Scatter(data=df, x="x", y="y", color_by="group", height=400)
    # "name" is not drawn, so the browser has to ask Python for it (a custom message).
    scatter.tooltip(True, properties=["x", "y", "name"])
    return scatter


def test_scatter_lasso_tooltip_and_background(show):
    made = []

    def factory():
        made.append(make_scatter())
        return made[-1].widget

    shown = show(factory)
    page, scatter = shown.page, made[0]
    widget = scatter.widget
    assert isinstance(widget.points, np.ndarray) and widget.points.shape == (N, 4)
    canvas = page.locator("fh-anywidget canvas").first
    expect(canvas).to_be_visible()
    lasso_button = page.get_by_title("Activate lasso selection")
    expect(lasso_button).to_be_visible()
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # Hover the dense centre: the browser reports the point, asks Python for its "name", and
    # shows Python's answer in the tooltip.
    page.mouse.move(cx, cy, steps=5)
    wait_until(lambda: widget.hovering is not None, what="Python to see the hovered point")
    name = page.locator("fh-anywidget").get_by_text(re.compile(r"^pt-\d+$"))
    expect(name).to_be_visible()
    wait_until(lambda: name.text_content() == f"pt-{widget.hovering}",
               what="the tooltip to show Python's answer for the hovered point")

    # Leave the points (the tooltip goes), then lasso: activate the tool and draw a loop round
    # the centre at a person's pace (regl-scatterplot takes at most one lasso point per 10 ms).
    # The loop stops short of its start: a release where the press was counts as a click.
    page.mouse.move(box["x"] + 3, box["y"] + 3, steps=5)
    wait_until(lambda: widget.hovering is None, what="Python to see the pointer leave")
    lasso_button.click()
    r = 60
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for i in range(1, 45):
        a = 2 * math.pi * i / 48
        page.mouse.move(cx + r * math.cos(a), cy + r * math.sin(a))
        page.wait_for_timeout(15)  # input pacing, not synchronisation
    page.mouse.up()
    wait_until(lambda: scatter.selection() is not None and len(scatter.selection()) > 50,
               what="Python to see the lasso selection")
    picked = np.asarray(scatter.selection())
    xy = widget.points[picked, :2]
    assert np.all(np.abs(xy - np.median(xy, axis=0)) < 1.0), "the lasso picked a compact blob"

    # Python → browser: a new background colour repaints the WebGL canvas (as seen on screen).
    def corner():
        return pixel(page.screenshot(clip=box), 40, 40)

    assert corner() == (255, 255, 255)
    scatter.background("#003399")
    wait_until(lambda: corner() == (0, 51, 153), what="the canvas to turn blue")
    assert not console_problems(page), page.console_errors
