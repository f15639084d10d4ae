"""Module shapes seen in the wild: default object, default factory (sync, async), a named
``render`` beside a default (the named one wins, with a warning, as in anywidget 0.11), and
render returning nothing, a cleanup or an object."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.afm.widgets import AsyncFactory, DefaultObject, NamedRender, RenderReturns, SyncFactory


def test_module_shape_default_object(show):
    shown = show(lambda: [DefaultObject()])
    expect(shown.page.get_by_text("shape: default object")).to_be_visible()


def test_module_shape_default_factory_runs_once_per_instance_sharing_its_closure(show):
    def build():
        a = SyncFactory()
        return [a, a, SyncFactory()]

    shown = show(build)
    expect(shown.page.get_by_text("shape: sync factory, from initialize")).to_have_count(3)
    assert shown.events().count("factory") == 2  # once per instance, not per view


def test_module_shape_async_default_factory(show):
    shown = show(lambda: [AsyncFactory()])
    expect(shown.page.get_by_text("shape: async factory, from initialize")).to_be_visible()
    assert shown.events() == ["async-factory"]


def test_module_shape_named_render_beside_default_wins_with_a_warning(show, page):
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    shown = show(lambda: [NamedRender()])
    expect(shown.page.get_by_text("shape: named render")).to_be_visible()
    assert any("deprecated" in w and "NamedRender" in w for w in warnings)


def test_render_may_return_nothing_a_cleanup_or_an_object(show):
    shown = show(lambda: [RenderReturns(returns=k) for k in ("nothing", "cleanup", "object")])
    for kind in ("nothing", "cleanup", "object"):
        expect(shown.page.get_by_text(f"returns {kind}")).to_be_visible()
    assert not shown.page.locator(".fh-anywidget-error").count()
    shown.page.evaluate("document.querySelectorAll('fh-anywidget').forEach((e) => e.remove())")
    shown.wait_event("render-cleanup:cleanup")
    assert shown.events() == ["render-cleanup:cleanup"]
    assert not shown.page.console_errors
