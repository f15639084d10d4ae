"""Real anywidget helpers that return classic containers render and stay live."""

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until

graphviz_anywidget = pytest.importorskip("graphviz_anywidget")
jscatter = pytest.importorskip("jscatter")
np = pytest.importorskip("numpy")


def graphviz():
    box = graphviz_anywidget.graphviz_widget("digraph { a -> b; b -> c; d -> e; }")
    return box, box


def composed():
    rng = np.random.default_rng(3)
    a = jscatter.Scatter(x=rng.normal(size=500), y=rng.normal(size=500), height=240)
    b = jscatter.Scatter(x=rng.normal(size=500), y=rng.normal(size=500), height=240)
    return jscatter.compose([a, b], sync_selection=True, row_height=240), a, b


@pytest.fixture(scope="module", autouse=True)
def routes(classic_app):
    classic_app.route("/graphviz", graphviz)
    classic_app.route("/compose", composed)


def test_graphviz_widget_vbox_of_buttons_and_dropdown(live, page):
    live.open(page, "/graphviz")
    expect(page.locator(".widget-vbox svg g.node")).to_have_count(5)
    dropdowns = page.locator(".widget-vbox .widget-dropdown select")
    expect(dropdowns.first).to_be_visible()
    expect(page.locator(".widget-vbox button.jupyter-button").first).to_be_visible()
    # typing in the helper's classic Text: its Python observer sends the graph a search, and
    # only the match stays highlighted
    page.locator(".widget-vbox .widget-text input").first.fill("e")
    node = 'svg g.node[data-name="{}"] ellipse'
    expect(page.locator(node.format("e"))).to_have_attribute("stroke", "black")
    expect(page.locator(node.format("b"))).not_to_have_attribute("stroke", "black")
    page.locator(".widget-vbox button.jupyter-button").first.click()  # reset: on_click → send
    assert not page.console_errors, page.console_errors


def test_jscatter_compose_gridbox(live, page):
    _grid, a, b = live.open(page, "/compose")
    expect(page.locator(".widget-gridbox").get_by_title("Activate lasso selection")).to_have_count(2)
    a.selection([1, 2, 3])  # Python → browser through a scatter inside the GridBox
    wait_until(lambda: list(b.widget.selection) == [1, 2, 3], what="synced selection")
    assert not [e for e in page.console_errors if "GPU stall" not in e], page.console_errors

