"""Errors a developer can act on: where a module fails to parse, a summary line first with the
details folded, and each distinct failure in the server log once, in the box's words."""

from __future__ import annotations

import logging

import anywidget
import traitlets
from fasthtml.common import Div
from playwright.sync_api import expect

from tests.apps import make_app
from tests.conftest import wait_until
from tests.core.helpers import raw_send

BROKEN = "export default {\n  render({ el }) {\n    const x = ;\n  },\n};\n"


class Unparsable(anywidget.AnyWidget):
    _esm = BROKEN


class BrokenImport(anywidget.AnyWidget):
    """Parses, but what it imports does not: the location check must not run it."""

    _esm = ('window.brokenImportRuns = (window.brokenImportRuns ?? 0) + 1;\n'
            'import "data:text/javascript,export default {";\n'
            'export default { render() {} };\n')


def browser_lines(caplog, name: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "fh_anywidget.browser" and name in r.getMessage()]


def show(serve, page, *widgets, **host_options):
    app, rt, _ = make_app(**host_options)

    @rt("/")
    def index():
        return Div(*widgets)

    page.goto(serve(app).url)


def test_a_syntax_error_names_its_line_and_column(serve, page, caplog):
    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")
    show(serve, page, Unparsable(), Unparsable())  # two views of a class, one failure
    summary = page.locator(".fh-anywidget-error-summary").first
    expect(summary).to_have_text(
        "tests.core.test_error_reports.Unparsable failed to load: "
        "SyntaxError: Unexpected token ';' (line 3, column 15)")
    lines = wait_until(lambda: browser_lines(caplog, "Unparsable"), what="the server's log line")
    assert "failed in load: SyntaxError: Unexpected token ';' (line 3, column 15)" in lines[0]
    page.console_errors.clear()  # the failure is (rightly) also in the console


def test_the_box_shows_one_summary_line_and_folds_the_details(serve, page):
    show(serve, page, Unparsable())
    box = page.locator(".fh-anywidget-error").first
    expect(box.locator(":scope > *").first).to_have_class("fh-anywidget-error-summary")
    details = box.locator(":scope > details")
    expect(details).to_have_count(1)
    assert details.get_attribute("open") is None  # folded until asked for
    expect(details.locator("pre")).to_contain_text("SyntaxError")
    page.console_errors.clear()


def test_each_distinct_failure_is_logged_once(serve, page, caplog):
    caplog.set_level(logging.ERROR, logger="fh_anywidget.browser")

    class Twice(anywidget.AnyWidget):
        _esm = "export default { render() { throw new Error('no'); } };"

    show(serve, page, Unparsable(), Unparsable(), Twice(), Twice())
    expect(page.locator(".fh-anywidget-error")).to_have_count(4)
    # both distinct failures arrive; then nothing more does (a custom message proves the socket
    # has carried everything the page sent before it)
    wait_until(lambda: browser_lines(caplog, "Twice") and browser_lines(caplog, "Unparsable"),
               what="both failures in the log")
    raw_send(page, {"type": "log", "level": "error", "model": "m", "widget": "Marker",
                    "phase": "render", "message": "marker", "stack": ""})
    wait_until(lambda: browser_lines(caplog, "Marker"), what="the marker line")
    assert len(browser_lines(caplog, "Twice")) == 1
    assert len(browser_lines(caplog, "Unparsable")) == 1
    page.console_errors.clear()


def test_an_error_in_an_imported_module_has_no_made_up_location_and_nothing_runs(serve, page):
    show(serve, page, BrokenImport())
    summary = page.locator(".fh-anywidget-error-summary")
    expect(summary).to_contain_text("BrokenImport failed to load: SyntaxError")
    expect(summary).not_to_contain_text("line")
    assert page.evaluate("() => window.brokenImportRuns") is None
    page.console_errors.clear()


def test_in_dev_mode_the_box_names_the_file_of_the_module(serve, page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "widget.js"
    source.write_text(BROKEN)
    cls = type("FromBrokenFile", (anywidget.AnyWidget,),
               {"_esm": source, "value": traitlets.Int(0).tag(sync=True)})
    widget = cls()
    show(serve, page, widget, dev=True)
    expect(page.locator(".fh-anywidget-error-summary")).to_have_text(
        f"{cls.__module__}.FromBrokenFile failed to load: "
        "SyntaxError: Unexpected token ';' (line 3, column 15) in widget.js")
    cls._esm.stop_thread()
    page.console_errors.clear()
