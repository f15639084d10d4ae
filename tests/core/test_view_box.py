"""A view is a positioned box (as a notebook output area is): a widget's absolutely positioned
children stay inside it — mopaint centres its Paint window this way."""

import anywidget
from fasthtml.common import Div, Titled
from playwright.sync_api import expect

from tests.apps import make_app


class Overlay(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ el }) {
        el.style.height = "120px";
        const badge = document.createElement("div");
        badge.className = "overlay-badge";
        badge.textContent = "inside";
        badge.style.cssText = "position: absolute; top: 10px; left: 10px;";
        el.append(badge);
      },
    };
    """


def test_absolutely_positioned_children_stay_in_their_view(serve, page):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Titled("box", Div(style="height: 600px"), Overlay())

    page.goto(serve(app).url)
    badge = page.locator(".overlay-badge")
    expect(badge).to_be_visible()
    view = page.locator("fh-anywidget").bounding_box()
    box = badge.bounding_box()
    assert view["y"] + 10 == box["y"] and view["x"] + 10 == box["x"], (view, box)
    assert not page.console_errors
