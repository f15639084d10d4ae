"""Ordering and failure semantics: held messages, failed initialize, failed render, cleanups."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.afm.widgets import BadCleanup, FailFirstRender, FailInit, Gated, Marker


def test_must_deliver_messages_arriving_during_initialize_after_it_in_order(show):
    made = []

    def build():
        made.extend([Gated(), Marker()])
        return made

    shown = show(build)
    gated, marker = made
    shown.wait_event("gated-init-start")
    gated.send({"n": 1})
    gated.value = 5
    gated.send({"n": 2})
    marker.send({"n": "sent"})  # same socket, in order: once it arrives, so have the above
    shown.wait_event("marker:sent")
    assert not [e for e in shown.events() if e.startswith(("msg:", "change:"))]
    shown.page.evaluate("globalThis.openGate()")
    expect(shown.page.get_by_text("gated 5")).to_be_visible()
    events = shown.events()
    start = events.index("gated-init-end")
    assert events[start:start + 4] == ["gated-init-end", "msg:1", "change:5", "msg:2"]
    assert events.index("gated-render:5") > start  # and render came after initialize


@pytest.mark.parametrize("how", ["throw", "reject"])
def test_must_fail_initialize_visibly_abort_its_signal_and_never_retry(show, browser_log, how):
    shown = show(lambda: [FailInit(how=how)] * 2)
    page = shown.page
    errors = page.locator("fh-anywidget .fh-anywidget-error")
    expect(errors).to_have_count(2)  # every view fails visibly
    expect(errors.first).to_contain_text("failed to initialize")
    expect(errors.first).to_contain_text("boom in initialize")
    shown.wait_event("fail-init-abort:true")  # the signal aborted, so its cleanup ran
    record = browser_log("boom in initialize")  # the server's log has it
    assert "initialize" in record.getMessage() and "FailInit" in record.getMessage()
    # a new view of the unusable widget fails too, without running initialize again
    page.evaluate("""() => {
      const el = document.querySelector('fh-anywidget');
      document.body.append(el.cloneNode(false));
    }""")
    expect(errors).to_have_count(3)
    expect(errors.last).to_contain_text("unusable")
    events = shown.events()
    assert events.count("fail-init") == 1 and "fail-render" not in events


def test_throwing_render_fails_only_that_view(show, browser_log):
    made = []

    def build():
        made.append(FailFirstRender())
        return made * 2

    shown = show(build)
    page = shown.page
    expect(page.locator(".fh-anywidget-error")).to_have_count(1)
    expect(page.locator(".fh-anywidget-error")).to_contain_text("boom in render")
    expect(page.locator("span.survivor")).to_have_text("value 0")
    made[0].value = 3  # the surviving view and the model keep working
    expect(page.locator("span.survivor")).to_have_text("value 3")
    assert "render" in browser_log("boom in render").getMessage()
    # the failed view's signal aborted (running what it wired); the good view's did not
    assert shown.events().count("render-abort:true") == 1


def test_cleanup_errors_are_reported_and_never_stop_other_cleanups(show, browser_log):
    made = []

    def build():
        made.append(BadCleanup())
        return made * 2

    shown = show(build)
    expect(shown.page.get_by_text("bad cleanup")).to_have_count(2)
    shown.page.evaluate("document.querySelectorAll('fh-anywidget').forEach((e) => e.remove())")
    shown.wait_events(4)
    made[0].close()
    shown.wait_event("init-other-cleanup")
    events = shown.events()
    assert events.count("view-bad-cleanup") == 2 and events.count("view-other-cleanup") == 2
    assert events.count("init-bad-cleanup") == 1
    assert "clean up" in browser_log("boom in render cleanup").getMessage()
    browser_log("boom in initialize cleanup")


def test_should_surface_lifecycle_errors_on_a_diagnostic_channel(show, browser_log):
    """The diagnostic channels: the page (error box, console) and the server's log."""
    shown = show(lambda: [FailInit()])
    expect(shown.page.locator(".fh-anywidget-error")).to_be_visible()
    assert any("boom in initialize" in e for e in shown.page.console_errors)
    record = browser_log("boom in initialize")
    assert "Error: boom in initialize" in record.getMessage()  # with the stack
