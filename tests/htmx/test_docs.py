"""docs/htmx.md's complete apps run as written (htmx served locally instead of FastHTML's CDN)."""

import re
from pathlib import Path

import fasthtml.common
import pytest
from fasthtml.common import FileResponse, Link, Script
from playwright.sync_api import expect

from tests.apps import HTMX

DOC = Path(__file__).parents[2] / "docs" / "htmx.md"
APPS = [block for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
        if "serve()" in block]


@pytest.fixture
def run_doc_app(monkeypatch, serve):
    real_fast_app = fasthtml.common.fast_app

    def offline_fast_app(*args, **kwargs):
        app, rt = real_fast_app(*args, default_hdrs=False,
                                hdrs=[Link(rel="icon", href="data:,"), Script(src="/_doc/htmx")],
                                **kwargs)
        rt("/_doc/htmx")(lambda: FileResponse(HTMX, media_type="text/javascript"))
        return app, rt

    monkeypatch.setattr(fasthtml.common, "fast_app", offline_fast_app)
    monkeypatch.setattr(fasthtml.common, "serve", lambda *a, **k: None)

    def run(index):
        namespace = {"__name__": f"doc_app_{index}"}
        exec(compile(APPS[index], f"docs/htmx.md app {index}", "exec"), namespace)
        return serve(namespace["app"]).url

    return run


def test_the_doc_has_three_apps():
    assert len(APPS) == 3


def test_push_app(run_doc_app, page):
    page.goto(run_doc_app(0))
    expect(page.locator("#fruit li")).to_have_count(3)
    page.locator("input[type=range]").fill("6")
    expect(page.locator("#fruit li")).to_have_count(6)
    assert not page.console_errors


def test_trigger_app(run_doc_app, page):
    page.goto(run_doc_app(1))
    page.locator("fh-anywidget button").click()
    expect(page.get_by_text("1 clicks so far")).to_be_visible()
    assert not page.console_errors


def test_form_app(run_doc_app, page):
    page.goto(run_doc_app(2))
    page.fill("input[name=level]", "70")
    page.click("text=set")
    expect(page.locator("#status")).to_have_text("set 1 gauge(s)")
    page.wait_for_function("document.querySelector('meter').value === 70")
    assert not page.console_errors
