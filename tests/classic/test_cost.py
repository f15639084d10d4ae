"""A page with only anywidgets loads no classic code; a page with a classic widget loads it once
(and nothing from outside the machine: the context fixture refuses that)."""

import logging

import ipywidgets as w
import pytest
import traitlets
from playwright.sync_api import expect

from tests.conftest import wait_until
from tests.widgets.counter import Counter


class Missing(w.DOMWidget):
    _model_name = traitlets.Unicode("CanvasModel").tag(sync=True)
    _model_module = traitlets.Unicode("ipycanvas").tag(sync=True)
    _view_name = traitlets.Unicode("CanvasView").tag(sync=True)
    _view_module = traitlets.Unicode("ipycanvas").tag(sync=True)


@pytest.fixture(scope="module", autouse=True)
def routes(classic_app):
    classic_app.route("/only-anywidgets", lambda: Counter(value=2))
    classic_app.route("/with-classic", lambda: [Counter(value=2), w.IntSlider(value=1)])
    classic_app.route("/missing", lambda: [Missing(), w.Label("still here")])


def requested(page, live, path):
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    live.open(page, path)
    expect(page.locator("button.counter")).to_have_text("count is 2")
    return urls


def test_anywidget_page_loads_no_classic_code(live, page):
    urls = requested(page, live, "/only-anywidgets")
    page.wait_for_load_state("networkidle")
    assert not [u for u in urls if "/classic/" in u], urls
    assert not page.console_errors, page.console_errors


def test_classic_page_loads_the_bundle_once(live, page):
    urls = requested(page, live, "/with-classic")
    expect(page.locator(".widget-slider")).to_be_visible()
    classic = [u for u in urls if "/classic/" in u]
    assert sorted(u.rsplit("/", 1)[1] for u in classic) == ["classic.css", "classic.js", "widgets.js"]
    assert not page.console_errors, page.console_errors


def test_missing_front_end_is_named_in_place_and_logged(live, page, caplog):
    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")
    live.open(page, "/missing")
    box = page.locator(".fh-anywidget-error")
    expect(box).to_contain_text('"ipycanvas"')
    expect(page.locator(".widget-label")).to_have_text("still here")
    wait_until(lambda: any('"ipycanvas"' in r.getMessage() for r in caplog.records
                           if r.name.startswith("fh_anywidget")), what="the server log names it")
