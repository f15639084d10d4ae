"""The demo's composition page works end to end: dashboard of children, Python swap, invoke."""

from __future__ import annotations

from playwright.sync_api import expect

from demo.pages import composition
from tests.apps import make_app


def test_demo_composed_dashboard_and_invoke(serve, page):
    app, rt, host = make_app()
    composition.register(rt, host)
    server = serve(app)
    page.goto(server.url + composition.PATH)
    total = page.locator(".total")
    expect(total).to_have_text("total 60 (x 30 + a 10 + b 20)")
    page.locator("input[type=range]").nth(1).fill("15")  # slider a, rendered by the parent
    expect(total).to_have_text("total 65 (x 30 + a 15 + b 20)")
    page.get_by_role("button", name="Swap the featured slider (from Python)").click()
    expect(total).to_have_text("total 105 (y 70 + a 15 + b 20)")
    expect(page.locator("fieldset input[type=range]")).to_have_count(1)
    page.get_by_role("button", name="describe in Python").click()
    expect(page.locator(".answer")).to_have_text(
        "mean 3.875, stdev 2.748\nsorted by Python: 1 1 2 3 4 5 6 9")
    assert not page.console_errors
