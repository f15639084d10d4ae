"""markmap-anywidget: an SVG mind map. Its bundle names CDN fallbacks it never uses: the
``context`` fixture fails the test if the page tries any of them.

The widget only reads its markdown, once per render (folding is browser-local, and it does not
listen for changes): the person's click is checked in the page, and Python's new markdown in a
new view after a reload, so the widget is shared (made outside a request).
"""

import pytest
from playwright.sync_api import expect

from tests.corpus.conftest import console_problems

markmap_anywidget = pytest.importorskip("markmap_anywidget")

MARKDOWN = """# Fruit
## Apples
### Cox
### Gala
## Pears
### Conference
"""


def test_markmap_fold_and_new_markdown(show):
    widget = markmap_anywidget.MarkmapWidget(markdown_content=MARKDOWN)
    page = show(lambda: widget).page
    svg = page.locator("fh-anywidget svg.markmap")
    expect(svg.get_by_text("Gala")).to_be_visible()
    expect(svg.locator("g.markmap-node")).to_have_count(6)

    # A person clicks the circle of "Apples": its children fold away.
    apples = svg.locator("g.markmap-node").filter(has_text="Apples").last
    apples.locator("circle").click()
    expect(svg.get_by_text("Gala")).to_have_count(0)
    expect(svg.get_by_text("Conference")).to_be_visible()

    widget.markdown_content = "# Veg\n## Leek\n## Kale\n"
    page.reload()
    expect(svg.get_by_text("Kale")).to_be_visible()
    expect(svg.get_by_text("Fruit")).to_have_count(0)
    assert not console_problems(page), page.console_errors
