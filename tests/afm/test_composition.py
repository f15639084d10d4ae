"""Widget composition: host.getWidget / host.getModel, references anywhere in state, cascade
teardown, slot reassignment, descriptive rejections, transitive access."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.afm.widgets import Child, Parent, Stall
from tests.conftest import wait_until


def _child_button(page, label):
    return page.locator(f"button.child[data-label='{label}']")


def test_must_resolve_anywidget_refs_from_widget_trait(show):
    made = []

    def build():
        made.append(Parent(slot=Child(label="x", value=3)))
        return made

    shown = show(build)
    button = _child_button(shown.page, "x")
    expect(button).to_have_text("x=3")
    slot = shown.page.locator(".slot")
    expect(slot).to_have_attribute("data-value", "3")  # getModel: the child's AnyModel
    button.click()  # the child view rendered by the parent syncs like any view
    wait_until(lambda: made[0].slot.value == 4, what="the child's write to reach Python")
    made[0].slot.value = 10
    expect(button).to_have_text("x=10")


def test_must_resolve_refs_inside_lists_and_dicts(show):
    def build():
        a, b, c = Child(label="a"), Child(label="b"), Child(label="c")
        return [Parent(refs={"list": [f"anywidget:{a.model_id}", f"anywidget:{b.model_id}"],
                             "dict": {"deep": {"child": f"anywidget:{c.model_id}"}}})]

    shown = show(build)
    for label in "abc":
        expect(_child_button(shown.page, label)).to_have_text(f"{label}=0")


def test_resolves_ipywidgets_ipy_model_refs(show):
    shown = show(lambda: [Parent(ipy=Child(label="ipy", value=2))])
    expect(_child_button(shown.page, "ipy")).to_have_text("ipy=2")


def test_must_maintain_a_registry_of_bindings_keyed_by_model(show):
    """Two parents resolving the same child share one binding: one initialize, same exports."""
    def build():
        child = Child(label="shared", value=5)
        return [Parent(label="p1", slot=child), Parent(label="p2", slot=child)]

    shown = show(build)
    expect(_child_button(shown.page, "shared")).to_have_count(2)
    assert shown.events().count("child-init:shared") == 1
    same = shown.page.evaluate("""async () => {
      const { registry } = [...fhAnywidget.runtimes.values()][0];
      const entry = [...registry.entries.values()].find((e) => e.model.get("label") === "shared");
      return entry.widget.exports.label;
    }""")
    assert same == "shared"


def test_get_widget_awaits_child_initialize_and_returns_exports_and_render(show):
    shown = show(lambda: [Parent(slot=Child(label="e", value=6))])
    slot = shown.page.locator(".slot")
    expect(slot).to_have_attribute("data-exports", "getValue,label")
    expect(slot).to_have_attribute("data-exported", "6")  # exports work once resolved
    events = shown.events()
    assert events.index("child-init:e") < events.index("child-render:e")


def test_must_cascade_view_teardown_to_children_rendered_with_parent_signal(show):
    shown = show(lambda: [Parent(slot=Child(label="k"))])
    expect(_child_button(shown.page, "k")).to_be_visible()
    shown.page.evaluate("document.querySelector('fh-anywidget').remove()")
    shown.wait_event("child-abort:k")


def test_should_reresolve_on_slot_reassignment_from_python(show):
    made = []

    def build():
        made.append(Parent(slot=Child(label="old")))
        return made

    shown = show(build)
    expect(_child_button(shown.page, "old")).to_be_visible()
    made[0].slot = Child(label="new", value=1)  # a model the page has never seen
    expect(_child_button(shown.page, "new")).to_have_text("new=1")
    expect(_child_button(shown.page, "old")).to_have_count(0)
    shown.wait_event("child-abort:old")  # the previous child view was torn down


def test_must_reject_malformed_refs_with_the_offending_value(show):
    shown = show(lambda: [Parent(refs=["not-a-ref"])])
    error = shown.page.locator(".ref-error")
    # both getWidget and getModel reject, and say what they were given
    expect(error).to_contain_text('invalid widget reference "not-a-ref"')
    assert error.inner_text().count("not-a-ref") == 2


def test_must_reject_unknown_models_naming_the_id(show):
    shown = show(lambda: [Parent(refs="anywidget:nosuchmodel42")])
    error = shown.page.locator(".ref-error")
    expect(error).to_contain_text("unknown model nosuchmodel42")
    assert error.inner_text().count("nosuchmodel42") == 2


def test_should_reject_stalled_child_initialize_after_configurable_timeout(show):
    shown = show(lambda: [Parent(slot=Stall())], widget_timeout=0.3)
    error = shown.page.locator(".ref-error")
    expect(error).to_contain_text("did not finish initialize within 300 ms")
    assert "stall-init" in shown.events()


def test_default_get_widget_timeout_is_ten_seconds(show):
    shown = show(lambda: [Child()])
    expect(shown.page.locator("button.child")).to_be_visible()
    assert shown.page.evaluate("fhAnywidget.config.getWidgetTimeout") == 10_000


def test_page_gets_access_to_children_transitively(show):
    made = []

    def build():
        grandchild = Child(label="grand", value=9)
        made.append(Parent(label="top", slot=Parent(label="middle", slot=grandchild)))
        return made[:1]

    shown = show(build)
    expect(_child_button(shown.page, "grand")).to_have_text("grand=9")
    _child_button(shown.page, "grand").click()  # the page may write to the grandchild too
    wait_until(lambda: made[0].slot.slot.value == 10, what="the grandchild's write")


def test_exports_are_the_object_initialize_returns_else_undefined(show):
    def build():
        kids = [Child(label=k, returns=k) for k in ("exports", "nothing", "cleanup")]
        return [Parent(refs=[f"anywidget:{kid.model_id}" for kid in kids])]

    shown = show(build)
    slots = shown.page.locator(".slot")
    expect(slots).to_have_count(3)
    expect(slots.nth(0)).to_have_attribute("data-exports", "getValue,label")
    expect(slots.nth(1)).to_have_attribute("data-exports", "undefined")
    expect(slots.nth(2)).to_have_attribute("data-exports", "undefined")  # a cleanup is no export


def test_should_give_child_render_the_parent_signal_by_default(show):
    shown = show(lambda: [Parent(slot=Child(label="d"), pass_signal=False)])
    expect(_child_button(shown.page, "d")).to_be_visible()
    shown.page.evaluate("document.querySelector('fh-anywidget').remove()")
    shown.wait_event("child-abort:d")
