"""anywidget.experimental: ``@command`` + ``experimental.invoke``, and descriptor-protocol
objects (dataclass, widget decorator, MimeBundleDescriptor, pydantic, msgspec, traitlets)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.afm.widgets import DESCRIPTOR_KINDS, Commands, Parent
from tests.conftest import wait_until


def test_may_expose_experimental_invoke_with_buffers_both_ways(show):
    shown = show(lambda: [Commands()])
    shown.page.locator("button.echo").click()
    # the command saw the message and one buffer, and answered with its bytes reversed
    expect(shown.page.locator("output")).to_have_text('{"x":42,"got":1} 3,2,1')


def test_invoke_rejects_when_its_signal_times_out(show):
    made = []
    shown = show(lambda: made.append(Commands()) or made)
    try:
        shown.page.locator("button.hang").click()
        expect(shown.page.locator("output")).to_have_text("rejected: TimeoutError")
    finally:
        made[0].release.set()


def test_may_expose_host_surfaces_without_colliding_with_afm_props(show):
    """``experimental`` sits beside model/el/signal/host and replaces none of them."""
    shown = show(lambda: [Commands()])
    expect(shown.page.locator("button.echo")).to_be_visible()
    keys = shown.page.evaluate("""async () => {
      const { registry } = [...fhAnywidget.runtimes.values()][0];
      const entry = [...registry.entries.values()].find((e) => e.widget?.definition);
      let seen;
      const el = document.createElement("div");
      const original = entry.widget.definition.render;
      entry.widget.definition.render = (props) => { seen = Object.keys(props).sort(); };
      await entry.widget.addView(el, new AbortController().signal);
      entry.widget.definition.render = original;
      return seen;
    }""")
    assert keys == ["el", "experimental", "host", "model", "signal"]


def _descriptor_round_trip(shown, obj):
    button = shown.page.locator("button.dcounter")
    expect(button).to_have_text("value 0")
    button.click()
    wait_until(lambda: obj.value == 1, what="the browser's write to reach the object")
    obj.value = 5
    expect(button).to_have_text("value 5")


@pytest.mark.parametrize("kind", DESCRIPTOR_KINDS)
def test_descriptor_objects_render_and_sync_both_ways(show, kind):
    made = []

    def build(host):
        made.append(DESCRIPTOR_KINDS[kind]())
        return [host.view(made[0])]

    shown = show(build)
    _descriptor_round_trip(shown, made[0])


@pytest.mark.parametrize("kind", DESCRIPTOR_KINDS)
def test_descriptor_objects_sync_as_composed_children(show, kind):
    made = []

    def build():
        made.append(DESCRIPTOR_KINDS[kind]())
        return [Parent(slot=made[0])]

    shown = show(build)
    _descriptor_round_trip(shown, made[0])


@pytest.mark.parametrize("kind", ["experimental.dataclass", "pydantic"])
def test_descriptor_objects_render_directly_in_ft_trees(show, kind):
    from fasthtml.common import Div, Titled

    made = []

    def build():
        made.append(DESCRIPTOR_KINDS[kind]())
        return [Titled("direct", Div(made[0]))]  # the object alone inside a Div, no host.view

    shown = show(build)
    _descriptor_round_trip(shown, made[0])


def test_invoke_works_where_crypto_randomUUID_does_not_exist(show):
    """``crypto.randomUUID`` exists only in secure contexts: plain http to a LAN address has
    none, and invoke must not need it."""
    shown = show(lambda: [Commands()], before=REMOVE_RANDOM_UUID)
    shown.page.locator("button.echo").click()
    expect(shown.page.locator("output")).to_have_text('{"x":42,"got":1} 3,2,1')
    assert shown.page.evaluate("typeof crypto.randomUUID") == "undefined"


REMOVE_RANDOM_UUID = "delete Crypto.prototype.randomUUID;"
