"""wigglystuff: Slider2D (plain traits), Matrix (writes state during render), and Pip wrapping a
CircularSlider (composition through ``anywidget.WidgetTrait`` and ``host.getWidget``)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import writes_settled
from tests.corpus.conftest import console_problems

wigglystuff = pytest.importorskip("wigglystuff")


def drag(page, box, start, end, steps=10):
    """Press at ``start`` and release at ``end`` (fractions of ``box``), moving in steps."""
    (x0, y0), (x1, y1) = start, end
    page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y0)
    page.mouse.down()
    for i in range(1, steps + 1):
        t = i / steps
        page.mouse.move(box["x"] + box["width"] * (x0 + (x1 - x0) * t),
                        box["y"] + box["height"] * (y0 + (y1 - y0) * t))
    page.mouse.up()


def test_slider2d_drag_and_set(show):
    shown = show(lambda: wigglystuff.Slider2D(width=300, height=300))
    page = shown.page
    values = page.locator("#sliderValues")
    expect(values).to_have_text("X: 0.00, Y: 0.00")

    drag(page, page.locator("fh-anywidget canvas").bounding_box(), (0.5, 0.5), (0.8, 0.25))
    writes_settled(page)
    assert shown.widget.x > 0.3 and shown.widget.y > 0.3
    expect(values).to_have_text(f"X: {shown.widget.x:.2f}, Y: {shown.widget.y:.2f}")

    shown.widget.x, shown.widget.y = -0.5, 0.25
    expect(values).to_have_text("X: -0.50, Y: 0.25")
    assert not console_problems(page), page.console_errors


def test_matrix_render_write_drag_and_set(show):
    # Shared (made outside a request), so a reload shows the same model again: Matrix draws its
    # values once per render and does not listen for changes, so a new view is how a person
    # sees a Python-side change.
    matrix = wigglystuff.Matrix(matrix=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], min_value=-50,
                                max_value=50)
    shown = show(lambda: matrix)
    page = shown.page
    cell = page.locator('.matrix-element[data-row="0"][data-col="0"]')
    expect(cell).to_have_text("1.0")
    expect(page.locator(".matrix-element")).to_have_count(6)

    # Drag right 40 px: 2 px per step of 1.0, so +20.
    box = cell.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for dx in range(4, 41, 4):
        page.mouse.move(cx + dx, cy)
    page.mouse.up()
    expect(cell).to_have_text("21.0")
    writes_settled(page)  # the drag's last write applied, so Python's set below comes after it
    assert matrix.matrix[0][0] == 21.0
    assert matrix.matrix[1] == [4.0, 5.0, 6.0]

    matrix.matrix = [[-7.0, 0.0, 0.0], [0.0, 8.5, 0.0]]
    page.reload()
    expect(cell).to_have_text("-7.0")
    expect(page.locator('.matrix-element[data-row="1"][data-col="1"]')).to_have_text("8.5")
    assert not console_problems(page), page.console_errors


def test_pip_composes_circular_slider(show):
    made = {}

    def factory():
        made["child"] = wigglystuff.CircularSlider(value=30, start=0, stop=100, step=1)
        return wigglystuff.Pip(made["child"])

    shown = show(factory)
    page = shown.page
    child = made["child"]
    label = page.locator(".pip-stage .circular-slider-label")
    expect(label).to_have_text("30")

    # Press on the ring at three o'clock and drag round to six o'clock.
    ring = page.locator(".pip-stage svg").first.bounding_box()
    drag(page, ring, (0.95, 0.5), (0.5, 0.95))
    writes_settled(page)
    assert child.value != 30
    expect(label).to_have_text(str(int(child.value)))

    child.value = 75
    expect(label).to_have_text("75")
    assert not console_problems(page), page.console_errors
