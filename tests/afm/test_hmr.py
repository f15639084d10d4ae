"""Hot module replacement (dev mode): file-based _esm/_css edits reach live views, keep model
state, and follow the spec's order; production watches nothing."""

from __future__ import annotations

from pathlib import Path

import anywidget
import pytest
import traitlets
from playwright.sync_api import expect

from tests.afm.widgets import LOG

SOURCE = LOG + """
log("load", "VERSION");
export default {
  initialize({ model, signal }) {
    log("init", "VERSION");
    signal.addEventListener("abort", () => log("init-abort", "VERSION"));
  },
  render({ model, el, signal }) {
    log("render", "VERSION");
    const button = Object.assign(document.createElement("button"), { className: "hot" });
    const paint = () => { button.textContent = `VERSION ${model.get("value")}`; };
    paint();
    model.on("change:value", paint);
    button.onclick = () => { model.set("value", model.get("value") + 1); model.save_changes(); };
    el.append(button);
    signal.addEventListener("abort", () => log("view-abort", "VERSION"));
  },
};
"""


@pytest.fixture
def hot(tmp_path: Path):
    """A widget class whose code lives in files under tmp_path; stops its watchers after."""
    esm, css = tmp_path / "hot.js", tmp_path / "hot.css"
    esm.write_text(SOURCE.replace("VERSION", "v1"))
    css.write_text(".hot { color: rgb(255, 0, 0); }")
    cls = type("Hot", (anywidget.AnyWidget,), {
        "_esm": esm, "_css": css, "value": traitlets.Int(0).tag(sync=True),
        "__module__": __name__,
    })
    yield cls, esm, css
    for contents in (cls._esm, cls._css):
        contents._stop_event.set()  # the watcher thread ends at its next wake-up


def test_may_support_hmr_in_dev_mode_keeping_state_in_the_spec_order(show, hot):
    cls, esm, _ = hot
    def build():
        widget = cls()
        return [widget, widget]  # two views of one model

    shown = show(build, dev=True)
    buttons = shown.page.locator("button.hot")
    expect(buttons).to_have_count(2)
    buttons.first.click()  # model state that must survive the reload
    expect(buttons.last).to_have_text("v1 1")
    esm.write_text(SOURCE.replace("VERSION", "v2"))
    expect(buttons).to_have_text(["v2 1", "v2 1"])  # every live view, state kept
    events = shown.events()
    new = events.index("load:v2")
    # abort old initialize (and its views) -> load new module -> new initialize -> re-render
    assert {"init-abort:v1", "view-abort:v1"} <= set(events[:new])
    assert events.count("view-abort:v1") == 2
    assert events[new:] == ["load:v2", "init:v2", "render:v2", "render:v2"]


def test_hmr_applies_edited_css(show, hot):
    cls, _, css = hot
    shown = show(lambda: [cls(value=3)], dev=True)
    button = shown.page.locator("button.hot")
    expect(button).to_have_css("color", "rgb(255, 0, 0)")
    css.write_text(".hot { color: rgb(0, 0, 255); }")
    expect(button).to_have_css("color", "rgb(0, 0, 255)")
    expect(button).to_have_text("v1 3")


def test_production_watches_no_file(show, hot):
    cls, esm, _ = hot
    made = []
    shown = show(lambda: made.append(cls()) or made)  # dev=False: the default
    button = shown.page.locator("button.hot")
    expect(button).to_have_text("v1 0")
    assert cls._esm._background_thread is None and cls._css._background_thread is None
    esm.write_text(SOURCE.replace("VERSION", "v2"))  # an edit on disk: nobody is watching
    made[0].value = 1
    expect(button).to_have_text("v1 1")
    assert "load:v2" not in shown.events()


def test_code_assigned_from_python_reaches_views_as_in_jupyter(show, hot):
    """Not HMR: a program that sets ``_esm`` itself gets the new code, as JupyterLab does."""
    cls, _, _ = hot
    made = []
    shown = show(lambda: made.append(cls(value=4)) or made)
    button = shown.page.locator("button.hot")
    expect(button).to_have_text("v1 4")
    made[0]._esm = SOURCE.replace("VERSION", "v2")
    expect(button).to_have_text("v2 4")


def test_hmr_reloads_descriptor_objects_too(show, tmp_path):
    esm = tmp_path / "hot_dc.js"
    esm.write_text(SOURCE.replace("VERSION", "v1"))
    cls = anywidget.experimental.dataclass(esm=esm)(type("HotData", (), {
        "__annotations__": {"value": int}, "value": 0, "__module__": __name__}))
    made = []

    def build(host):
        made.append(cls())
        return [host.view(made[0])]

    shown = show(build, dev=True)
    button = shown.page.locator("button.hot")
    button.click()
    expect(button).to_have_text("v1 1")
    try:
        esm.write_text(SOURCE.replace("VERSION", "v2"))
        expect(button).to_have_text("v2 1")
    finally:
        type(made[0])._repr_mimebundle_._extra_state["_esm"]._stop_event.set()


def test_hmr_to_failing_code_fails_every_live_view_visibly(show, hot, browser_log):
    cls, esm, _ = hot

    def build():
        widget = cls()
        return [widget, widget]

    shown = show(build, dev=True)
    expect(shown.page.locator("button.hot")).to_have_count(2)
    esm.write_text("export default { initialize() { throw new Error('broken edit'); } };")
    errors = shown.page.locator(".fh-anywidget-error")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("broken edit")
    browser_log("broken edit")
    esm.write_text(SOURCE.replace("VERSION", "v3"))  # fixing the file brings the views back
    expect(shown.page.locator("button.hot")).to_have_text(["v3 0", "v3 0"])
    expect(errors).to_have_count(0)
