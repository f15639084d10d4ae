"""Code is not state: hashed, cacheable URLs; never in state; never writable (issue 2, point 6)."""

import pathlib
import urllib.request

import anywidget
import traitlets
from playwright.sync_api import expect

from fh_anywidget.models import registry
from tests.apps import serve_widgets
from tests.core.helpers import browser_state, raw_send, record_server_errors, server_errors
from tests.widgets.counter import Counter

ESM_FILE = pathlib.Path(__file__).parent / "file_widget.js"


class FromFile(anywidget.AnyWidget):
    _esm = ESM_FILE
    text = traitlets.Unicode("from a file").tag(sync=True)


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return response.status, response.headers, response.read().decode()


def test_inline_and_file_modules_load_from_hashed_immutable_urls(serve, page):
    widgets = [Counter(value=3), FromFile()]
    url = serve_widgets(serve, *widgets)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url)
    html = fetch(url)[2]
    expect(page.locator("button.counter")).to_have_text("count is 3")
    expect(page.locator(".from-file")).to_have_text("from a file")
    for widget, source in [(widgets[0], Counter._esm), (widgets[1], ESM_FILE.read_text())]:
        record = registry.get(widget.model_id)
        esm_url = f"{url}/_fh_anywidget/assets/{record.code_fields()['esm']}"
        assert esm_url in requested  # the browser loaded the module from its URL
        status, headers, body = fetch(esm_url)
        assert status == 200 and body == source
        assert headers["Content-Type"].startswith("text/javascript")
        assert "immutable" in headers["Cache-Control"]
        assert record.esm.digest in esm_url
        # the page preloads the module, so it downloads while the socket is still opening
        preload = f'<link rel="modulepreload" href="/_fh_anywidget/assets/{record.code_fields()["esm"]}">'
        assert preload in html
        # and the code never travelled as state
        assert browser_state(page, widget.model_id, "_esm") is None


def test_browsers_cannot_write_code_or_identity(serve, page):
    widget = Counter(value=1)
    page.goto(serve_widgets(serve, widget))
    expect(page.locator("button.counter")).to_have_text("count is 1")
    record_server_errors(page)
    for key in ("_esm", "_css", "_anywidget_id"):
        raw_send(page, {"type": "update", "model": widget.model_id, "state": {key: "alert(1)"},
                        "buffer_paths": []})
    page.wait_for_function("() => window.serverErrors.length === 3")
    assert all("cannot be written by a browser" in e for e in server_errors(page))
    assert widget._esm == Counter._esm and widget._css == Counter._css
    assert widget._anywidget_id == "tests.widgets.counter.Counter"
    page.locator("button.counter").click()  # the socket still works
    expect(page.locator("button.counter")).to_have_text("count is 2")
