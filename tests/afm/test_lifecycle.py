"""AFM host requirements (MUST): loading, the model interface, initialize/render, signals,
cleanups. One test per rule of the spec's checklist, each named after it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.afm.widgets import Listeners, ModelApi, Probe
from tests.conftest import wait_until


def test_must_load_afm_modules_as_ecmascript_modules(show):
    shown = show(lambda: [Probe(label="a")])
    span = shown.page.locator("span.probe")
    expect(span).to_have_text("a=0")
    url = span.get_attribute("data-url")  # import.meta.url: only an ES module has one
    assert url.startswith(shown.server.url) and url.endswith(".js")
    assert "/assets/" in url


def test_must_implement_the_model_interface(show):
    made = []
    shown = show(lambda: made.append(ModelApi()) or made)
    widget, page = made[0], shown.page
    page.locator("button.api").click()  # set + save_changes + send with a buffer
    wait_until(lambda: widget.value == 1 and widget.received, what="the write and the message")
    assert widget.received == [({"text": "hello"}, [b"\x01\x02\x03"])]
    shown.wait_event("change:1")  # on("change:value") fired for the local set
    widget.value = 7  # Python -> browser: change event, get() sees the new value
    shown.wait_event("change:7")
    widget.send({"text": "data"}, [b"\x09\x08"])  # msg:custom with buffers
    shown.wait_event("custom:data:1:9,8")
    widget.send({"text": "off"})  # the widget calls off("change:value", fn)
    shown.wait_event("custom:off:0:")
    widget.value = 8
    widget.send({"text": "after"})
    shown.wait_event("custom:after:0:")
    assert "change:8" not in shown.events()


def test_must_run_initialize_once_per_instance_awaited_before_any_render(show):
    def build():
        a, b = Probe(label="a"), Probe(label="b")
        return [a, a, b, a]  # three views of a, one of b

    shown = show(build)
    expect(shown.page.locator("span.probe")).to_have_count(4)
    events = shown.wait_events(2 * 2 + 4)
    renders_a = [i for i, e in enumerate(events) if e.startswith("render:a")]
    assert events.count("init-start:a:no-host") == 1
    assert events.count("init-end:a") == 1 and len(renders_a) == 3
    assert events.index("init-end:a") < renders_a[0]  # async initialize was awaited
    assert events.count("init-start:b:no-host") == 1  # and initialize gets no host


def test_must_run_render_once_per_view_with_model_el_signal_and_host(show):
    shown = show(lambda: [Probe(label="a"), Probe(label="b")])
    expect(shown.page.locator("span.probe")).to_have_count(2)
    events = shown.events()
    for label in "ab":
        assert events.count(f"render:{label}:true:true:function:function") == 1


def test_must_abort_render_signal_when_the_view_is_removed(show):
    shown = show(lambda: [Probe(label="a"), Probe(label="b")])
    expect(shown.page.locator("span.probe")).to_have_count(2)
    shown.page.evaluate("document.querySelector('fh-anywidget').remove()")
    shown.wait_event("view-abort:a")
    events = shown.events()
    assert "view-abort:b" not in events and "init-abort:a" not in events  # model lives on


def test_must_abort_initialize_signal_when_the_widget_is_destroyed(show):
    made = []
    shown = show(lambda: made.append(Probe(label="a")) or made)
    expect(shown.page.locator("span.probe")).to_have_text("a=0")
    made[0].close()
    shown.wait_event("init-abort:a")
    shown.wait_event("view-abort:a")


def test_must_run_returned_cleanup_when_its_signal_aborts_as_one_channel(show):
    made = []
    shown = show(lambda: made.append(Probe(label="a")) or made)
    expect(shown.page.locator("span.probe")).to_have_text("a=0")
    shown.page.evaluate("document.querySelector('fh-anywidget').remove()")
    # the returned cleanup runs because the signal aborted, and sees signal.aborted === true
    shown.wait_event("view-cleanup:a:true")
    events = shown.events()
    assert events.count("view-cleanup:a:true") == 1
    assert events.index("view-abort:a") < events.index("view-cleanup:a:true")
    made[0].close()
    shown.wait_event("init-cleanup:a:true")
    assert shown.events().count("init-cleanup:a:true") == 1


def test_must_keep_views_when_an_element_only_moves(show):
    shown = show(lambda: [Probe(label="a"), Probe(label="b")])
    expect(shown.page.locator("span.probe")).to_have_count(2)
    shown.page.evaluate("""() => {
      const [a, b] = document.querySelectorAll('fh-anywidget');
      b.after(a);  // a move within one task: the same live view
    }""")
    expect(shown.page.locator("span.probe").last).to_have_text("a=0")
    assert shown.events().count("render:a:true:true:function:function") == 1
    assert "view-abort:a" not in shown.events()


def test_must_scope_off_to_the_view_that_calls_it(show):
    """``model.off(name)`` and ``model.off()`` in one view remove that view's listeners only —
    not another view's, not initialize's, not the host's (its layout follower)."""
    made = []
    shown = show(lambda: made.append(Listeners()) or [made[0], made[0]])
    page = shown.page
    spans = page.locator("span.listener")
    expect(spans).to_have_count(2)
    page.locator("button.off-name-0").click()
    made[0].value = 1
    shown.wait_event("init:1")
    expect(spans.nth(1)).to_have_text("view1:1")
    expect(spans.nth(0)).to_have_text("")
    page.locator("button.off-all-1").click()
    made[0].value = 2
    shown.wait_event("init:2")  # initialize's listener survived both
    made[0].layout.width = "321px"  # and the host's own layout listeners
    expect(page.locator(".fh-anywidget-view").nth(1)).to_have_css("width", "321px")
    expect(spans.nth(1)).to_have_text("view1:1")
