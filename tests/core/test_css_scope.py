"""A widget's stylesheet styles its views and nothing else on the page (static/scope.js)."""

from __future__ import annotations

import anywidget
import pytest
from fasthtml.common import H1, Div, P
from playwright.sync_api import expect

from tests.apps import make_app


class Greedy(anywidget.AnyWidget):
    """CSS written for a notebook cell: global selectors everywhere."""

    _esm = """export default { render({ el }) {
      el.innerHTML = '<h1 class="inside">widget heading</h1><p class="inside-p">text</p>'; } };"""
    _css = """
    :root { --accent: rgb(1, 2, 3); }
    body { margin: 0; font-family: monospace; }
    h1 { font-size: 99px; }
    * { letter-spacing: 7px; }
    body > h1, html body .inside-p { color: var(--accent); }
    @media all { p { text-transform: uppercase; } }
    @keyframes spin { to { transform: rotate(1turn); } }
    .inside { animation: spin 1s paused; }
    """


def page_with_greedy_widget(serve):
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(H1("page heading", id="page-h1"), P("page text", id="page-p"), Greedy())

    return serve(app).url


def test_global_selectors_in_widget_css_leave_the_page_alone(serve, page):
    page.goto(page_with_greedy_widget(serve))
    inside = page.locator("h1.inside")
    expect(inside).to_have_css("font-size", "99px")  # the sheet has loaded and applies
    page_h1 = page.locator("#page-h1")
    expect(page_h1).not_to_have_css("font-size", "99px")
    expect(page_h1).to_have_css("letter-spacing", "normal")
    body = page.locator("body")
    expect(body).to_have_css("margin", "8px")  # Chromium's default, untouched
    expect(page.locator("#page-p")).to_have_css("text-transform", "none")
    assert not page.console_errors


def test_rules_for_the_document_root_apply_to_the_view_instead(serve, page):
    """`:root` custom properties, `body` fonts and `html body` prefixes reach the widget's
    elements as they would in a notebook; @media rules and @keyframes keep working."""
    page.goto(page_with_greedy_widget(serve))
    paragraph = page.locator("p.inside-p")
    expect(paragraph).to_have_css("color", "rgb(1, 2, 3)")
    expect(paragraph).to_have_css("font-family", "monospace")
    expect(paragraph).to_have_css("letter-spacing", "7px")
    expect(paragraph).to_have_css("text-transform", "uppercase")
    expect(page.locator("h1.inside")).to_have_css("animation-name", "spin")
    assert not page.console_errors


def test_layers_and_supports_blocks_keep_their_order_and_their_rules(serve, page):
    """Tailwind-built widgets (jupyter-scatter) put their rules in @layer and @supports blocks."""

    class Layered(anywidget.AnyWidget):
        _esm = """export default { render({ el }) { el.innerHTML = '<b class="layered">x</b>'; } };"""
        _css = """
        @layer base, theme;
        @layer theme { b { color: rgb(9, 9, 9); } }
        @layer base { b { color: rgb(200, 0, 0); } }
        @supports (display: grid) { @layer theme { .layered { display: inline-grid; } } }
        """

    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(P(H1("x"), id="outside"), Layered())

    page.goto(serve(app).url)
    bold = page.locator("b.layered")
    expect(bold).to_have_css("display", "inline-grid")
    expect(bold).to_have_css("color", "rgb(9, 9, 9)")  # theme is the later layer: it wins
    assert not page.console_errors


def test_real_widgets_keep_their_look_and_leave_the_page_alone(serve, page):
    """drawdata defines its colours as :root custom properties; jupyter-scatter ships Tailwind's
    preflight (h1 { font-size: inherit }, body { margin: 0 }). Scoped, drawdata's canvas still
    gets its colour and the page's own heading keeps its size and place."""
    drawdata = pytest.importorskip("drawdata")
    jscatter = pytest.importorskip("jscatter")
    import numpy as np

    app, rt, _ = make_app()

    @rt("/")
    def index():
        x, y = np.random.default_rng(0).normal(size=(2, 100))
        return Div(H1("page heading", id="page-h1"), drawdata.ScatterWidget(),
                   jscatter.Scatter(x=x, y=y, height=200).widget)

    page.goto(serve(app).url)
    expect(page.locator("svg.dd-scatter-svg")).to_have_css(
        "background-color", "rgb(249, 250, 251)")  # var(--dd-svg-bg), set on :root
    page.wait_for_function("""() => document.querySelectorAll("link[data-anywidget-class]").length == 2
      && [...document.querySelectorAll("link[data-anywidget-class]")].every((l) => !l.media)""")
    expect(page.locator("#page-h1")).to_have_css("font-size", "32px")  # Chromium's h1 default
    expect(page.locator("body")).to_have_css("margin", "8px")
