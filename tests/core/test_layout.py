"""ipywidgets' Layout styles the view element, as in JupyterLab, and follows Python's changes."""

import ipywidgets
from playwright.sync_api import expect

from tests.apps import serve_widgets
from tests.widgets.counter import Counter


def test_layout_styles_the_view_and_follows_python(serve, page):
    widget = Counter(layout=ipywidgets.Layout(width="321px", border="3px solid rgb(255, 0, 0)"))
    page.goto(serve_widgets(serve, widget))
    view = page.locator("fh-anywidget .fh-anywidget-view")
    expect(page.locator("button.counter")).to_have_text("count is 0")
    expect(view).to_have_css("width", "321px")
    expect(view).to_have_css("border-top-width", "3px")
    widget.layout.width = "123px"  # the Layout model changes in Python ...
    expect(view).to_have_css("width", "123px")  # ... and the live view follows
    widget.layout = ipywidgets.Layout(height="77px")  # a whole new Layout model
    expect(view).to_have_css("height", "77px")
    expect(view).not_to_have_css("width", "123px")  # the old layout's properties are gone
    expect(view).to_have_css("border-top-width", "0px")
