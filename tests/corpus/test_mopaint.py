"""mopaint Paint: React, heavy CSS, 2D canvas; the drawing syncs as a base64 PNG trait."""

import base64
import io

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.corpus.conftest import console_problems, pixel

mopaint = pytest.importorskip("mopaint")
Image = pytest.importorskip("PIL.Image")


def decode(data_url: str):
    raw = data_url.split("base64,", 1)[-1]
    return Image.open(io.BytesIO(base64.b64decode(raw))).convert("RGB")


def test_paint_draw_and_load_image(show):
    shown = show(lambda: mopaint.Paint(height=400, width=700))
    page, widget = shown.page, shown.widget
    canvas = page.locator("fh-anywidget canvas").first
    expect(canvas).to_be_visible()
    expect(page.get_by_text("untitled - Paint")).to_be_visible()
    box = canvas.bounding_box()

    # Draw a thick black stroke with the mouse.
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 50, y)
    page.mouse.down()
    for dx in range(60, 400, 10):
        page.mouse.move(box["x"] + dx, y)
    page.mouse.up()
    wait_until(lambda: widget.base64, what="Python to receive the drawing")
    assert not widget.base64.startswith("data:")
    drawn = decode(widget.base64)
    assert min(drawn.getpixel((x, drawn.height // 2))[0] for x in range(drawn.width)) < 80, \
        "the stroke is in the PNG Python received"

    # Python loads an image: the canvas shows it.
    red = Image.new("RGB", (700, 400), (220, 20, 20))
    buffer = io.BytesIO()
    red.save(buffer, format="PNG")
    widget.base64 = base64.b64encode(buffer.getvalue()).decode()  # the trait holds bare base64
    wait_until(lambda: pixel(page.screenshot(clip=box), 30, 30) == (220, 20, 20),
               what="the canvas to show Python's image")
    assert not console_problems(page), page.console_errors
