"""The demo's htmx dashboard: the widget filters the server-rendered table, the form edits it."""

from fasthtml.common import FileResponse, Link, Script, fast_app
from playwright.sync_api import expect

from demo.pages import htmx_dashboard
from fh_anywidget import WidgetHost
from tests.apps import HTMX


def test_dashboard_filters_the_table_and_the_form_moves_the_widget(serve, page):
    app, rt = fast_app(default_hdrs=False,
                       hdrs=[Link(rel="icon", href="data:,"), Script(src="/_demo/htmx")])
    host = WidgetHost(app)

    @rt("/_demo/htmx")
    def htmx_js():
        return FileResponse(HTMX, media_type="text/javascript")

    htmx_dashboard.register(rt, host)
    page.goto(serve(app).url + htmx_dashboard.PATH)
    rows = page.locator("#products tbody tr")
    expect(rows).to_have_count(len(htmx_dashboard.PRODUCTS))
    expect(page.locator("#summary")).to_contain_text("15 of 15")
    page.locator("input.price-hi").fill("100")  # a range input: sets it and fires "input"
    expect(rows).to_have_count(9)
    expect(page.locator("#summary")).to_contain_text("9 of 15 products between $0 and $100")
    # The server-rendered form describes the widget: it follows the slider.
    expect(page.locator("#form-hi")).to_have_value("100")
    expect(page.locator("#form-lo")).to_have_value("0")
    page.fill("#form-lo", "300")
    page.fill("#form-hi", "500")
    page.click("#apply")
    expect(page.locator("#form-status")).to_have_text("updated")
    expect(page.locator("input.price-lo")).to_have_value("300")
    expect(page.locator("input.price-hi")).to_have_value("500")
    expect(rows).to_have_count(2)
    expect(page.locator("#summary")).to_contain_text("2 of 15 products between $300 and $500")
    rows.first.locator("button").click()  # htmx attributes inside the pushed table work
    expect(page.locator("#details")).to_contain_text("Bicycle: $450")
    assert not page.console_errors
