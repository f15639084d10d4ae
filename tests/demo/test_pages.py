"""The demo looks finished: every page is titled and headed as the index names it, leads back
to the index, renders its widgets without an error, and does not move once they have loaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.corpus.conftest import KNOWN_NOISE
from tests.corpus.test_drawdata import SVG_AUTO

#: Not ours (docs/compatibility.md): drawdata, on the gallery, sets <svg height="auto"> itself,
#: and Chromium's software WebGL warns about jupyter-scatter's reads. Nothing else may be logged.
NOT_OURS = (SVG_AUTO, *KNOWN_NOISE)

RENDERED = """() => [...document.querySelectorAll("fh-anywidget")].every(
  (el) => el.querySelector(".fh-anywidget-error") || el.firstElementChild?.childElementCount > 0)"""

# Where the page's own text sits above the first widget (what is below moves with the widgets'
# own sizes), and the size and font of every heading.
GEOMETRY = """() => {
  const place = (e) => {
    const b = e.getBoundingClientRect();
    return [Math.round(b.left), Math.round(b.top)];
  };
  const above = ["h1", "main > p", ".gallery-item > h2", ".gallery-item > p"];
  return {
    places: above.map((s) => place(document.querySelector(s))),
    fonts: [...document.querySelectorAll("h1, h2, main > p")].map((e) => getComputedStyle(e).font),
    body: getComputedStyle(document.body).margin,
  };
}"""

#: every widget stylesheet has loaded (and been scoped, static/scope.js)
STYLED = """() => [...document.querySelectorAll("link[data-anywidget-class]")]
  .every((l) => l.sheet && !l.media)"""


@pytest.fixture(scope="module")
def demo_url():
    from demo.app import app
    from tests.conftest import LiveServer

    server = LiveServer(app)
    yield server.url
    server.stop()


def index_links(page: Page, url: str) -> list[tuple[str, str]]:
    page.goto(url)
    links = page.locator("main li a")
    return [(links.nth(i).inner_text(), links.nth(i).get_attribute("href") or "")
            for i in range(links.count())]


def test_every_page_is_titled_headed_and_linked_as_the_index_names_it(demo_url, page):
    links = index_links(page, demo_url)
    assert len(links) >= 6
    for name, href in links:
        page.goto(demo_url + href)
        expect(page).to_have_title(name)
        expect(page.locator("h1")).to_have_text(name)
        back = page.locator("a.back")
        expect(back).to_have_attribute("href", "/")
        page.wait_for_function(RENDERED)
        expect(page.locator(".fh-anywidget-error")).to_have_count(0)
    problems = [e for e in page.console_errors if not any(n in e for n in NOT_OURS)]
    assert not problems, problems


def test_widget_stylesheets_do_not_move_the_page(demo_url, page, new_context):
    """The gallery's widgets bring global CSS (body, h1, …). The page's own headings and text
    sit where they sit without any widget stylesheet, at the same size, once all have loaded."""
    bare = new_context().new_page()
    bare.route("**/_fh_anywidget/assets/*.css", lambda route: route.abort())
    bare.goto(demo_url + "/gallery")
    bare.wait_for_function(RENDERED)
    without_css = bare.evaluate(GEOMETRY)
    page.goto(demo_url + "/gallery")
    page.wait_for_function(RENDERED)
    page.wait_for_function(STYLED)
    assert page.evaluate(GEOMETRY) == without_css
