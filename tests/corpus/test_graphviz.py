"""graphviz-anywidget: initialize, inlined WebAssembly (Graphviz), Python→browser custom messages.

The widget never writes state or sends messages to Python (clicks highlight in the browser
only), so the person's click is checked in the page; Python's side is checked by its messages
and a new DOT source.
"""

import pytest
from playwright.sync_api import expect

from tests.corpus.conftest import console_problems

graphviz_anywidget = pytest.importorskip("graphviz_anywidget")

DOT = "digraph { a -> b; b -> c; d -> e; }"


def outline(page, name):
    return page.locator(f'fh-anywidget svg g.node[data-name="{name}"] ellipse')


def test_graphviz_click_search_and_new_source(show):
    shown = show(lambda: graphviz_anywidget.GraphvizAnyWidget(dot_source=DOT))
    page, widget = shown.page, shown.widget
    expect(page.locator("fh-anywidget svg g.node")).to_have_count(5)

    # A person clicks node "a": its component (a, b, c) stays, the rest fades.
    page.locator('fh-anywidget svg g.node[data-name="a"]').click()
    expect(outline(page, "d")).not_to_have_attribute("stroke", "black")
    expect(outline(page, "b")).to_have_attribute("stroke", "black")

    # Python asks the browser to search (a custom message): now only "e" is highlighted.
    widget.send({"action": "search", "query": "e"})
    expect(outline(page, "e")).to_have_attribute("stroke", "black")
    expect(outline(page, "b")).not_to_have_attribute("stroke", "black")
    expect(outline(page, "a")).not_to_have_attribute("stroke", "black")

    # Python replaces the graph.
    widget.dot_source = "digraph { x -> y; y -> z; z -> x; w; }"
    expect(page.locator('fh-anywidget svg g.node[data-name="w"]')).to_have_count(1)
    expect(page.locator("fh-anywidget svg g.node")).to_have_count(4)
    assert not console_problems(page), page.console_errors
