"""The demo gallery: every corpus widget on one page, together, with a clean console."""

import pytest
from playwright.sync_api import expect

from demo.pages import gallery
from tests.apps import make_app
from tests.corpus.conftest import console_problems
from tests.corpus.test_drawdata import SVG_AUTO


def test_gallery_shows_every_installed_widget(serve, page):
    app, rt, host = make_app()
    gallery.register(rt, host)
    server = serve(app)
    page.goto(server.url + gallery.PATH)
    present = [w for w in gallery.WIDGETS if gallery.installed(w[0])]
    if not present:
        pytest.skip("no corpus widget installed")
    items = page.locator(".gallery-item")
    expect(items).to_have_count(len(gallery.WIDGETS))
    # (a widget may rename its `el`: markmap sets el.className)
    views = page.locator(".gallery-item fh-anywidget > div")
    expect(views).to_have_count(len(present))
    for i in range(len(present)):
        # Every widget drew something; none shows an error box.
        expect(views.nth(i).locator("*").first).to_be_attached()
    expect(page.locator(".fh-anywidget-error")).to_have_count(0)
    expect(page.locator("fh-anywidget").get_by_text("10,000 rows", exact=True)).to_be_visible()
    assert not console_problems(page, also=[SVG_AUTO]), page.console_errors
