"""Python's newer value is never lost: whatever runs between a browser write and its read-back,
the snapshot, the writer and every other view end equal to what Python holds (issue 10, item 1).

Each race is forced, not hoped for: a serializer, an observer or a validator of the widget runs
the competing Python change at the exact point where the first core lost it.
"""

from __future__ import annotations

import json
import sys
import threading

import anywidget
import ipywidgets
import traitlets
from anywidget.experimental import MimeBundleDescriptor
from fasthtml.common import Div

from fh_anywidget.models import registry
from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.peer import Peer, Visitor


def snapshot(model_id: str, key: str):
    return json.loads(registry.get(model_id).slots[key].json)


def served(serve, *widgets) -> tuple[Visitor, str, list[str]]:
    app, rt, _ = make_app()

    @rt("/")
    def index():
        return Div(*widgets)

    visitor = Visitor(serve(app).url)
    token, models = visitor.page()
    return visitor, token, models


def final_value(peer: Peer, model_id: str, key: str, seq: int, want):
    """What the writer shows once its write is acknowledged and later updates have arrived:
    the ack's value when it names the key, else what it sent, then newer updates."""
    def settled(message):
        if message["type"] == "ack" and message["seq"] == seq:
            peer.shown = message["state"].get(key, peer.sent)
        elif message["type"] == "update" and message["model"] == model_id and key in message["state"] \
                and getattr(peer, "shown", None) is not None:
            peer.shown = message["state"][key]
        return getattr(peer, "shown", None) == want
    peer.until(settled, what=f"the writer to show {want}")
    return peer.shown


# ------------------------------------------------------------ an AnyWidget, another thread

class GatedSerializer(anywidget.AnyWidget):
    """Its trait's serializer can be held at the moment the host reads the trait back."""

    _esm = "export default { render() {} };"
    value = traitlets.Int(0).tag(sync=True, to_json=lambda v, w: w._serialize(v))

    def __init__(self, **kwargs):
        self.hold = threading.Event()  # armed by the test
        self.setter: threading.Thread | None = None
        self.reading = threading.Event()
        self.go = threading.Event()
        super().__init__(**kwargs)

    def _serialize(self, value):
        reading_back = sys._getframe(2).f_code.co_name == "get_state"  # not the echo check
        if self.hold.is_set() and reading_back and threading.current_thread() is not self.setter:
            self.hold.clear()
            self.reading.set()  # the host has read `value` and is encoding it ...
            assert self.go.wait(10)  # ... while another thread sets the trait
        return value


def test_a_python_set_during_the_read_back_of_a_browser_write_wins(serve):
    widget = GatedSerializer(value=0)
    visitor, token, (model,) = served(serve, widget)
    with visitor.peer(token) as writer, visitor.peer(token) as other:
        writer.attached()
        other.attached()
        widget.hold.set()
        writer.sent = 1
        writer.update(model, {"value": 1}, seq=1)
        assert widget.reading.wait(10)
        setter = widget.setter = threading.Thread(target=setattr, args=(widget, "value", 5))
        setter.start()
        wait_until(lambda: widget._trait_values["value"] == 5, what="Python's set to land")
        widget.go.set()
        setter.join(10)
        assert widget.value == 5
        assert final_value(writer, model, "value", 1, 5) == 5
        other.until(lambda m: m["type"] == "update" and m["state"].get("value") == 5,
                    what="the other view to converge")
        wait_until(lambda: snapshot(model, "value") == 5, what="the snapshot to hold Python's value")


# ------------------------------------------------------------ descriptor objects

@anywidget.experimental.dataclass(esm="export default { render() {} };")
class Evented:
    value: int = 0


def test_a_dataclass_changed_by_another_thread_during_browser_writes_keeps_pythons_value(serve):
    """psygnal holds a signal's emission lock while the write is applied, so another thread's
    change is stored at once and sent right after: nothing can force its order against the
    host's read-back from outside, so race them, many times, and demand convergence each time."""
    obj = Evented(value=0)
    visitor, token, (model,) = served(serve, obj)
    with visitor.peer(token) as writer, visitor.peer(token) as other:
        writer.attached()
        other.attached()
        for seq in range(1, 101):
            racer = threading.Thread(target=setattr, args=(obj, "value", -seq))
            writer.update(model, {"value": seq}, seq=seq)
            racer.start()
            writer.until(lambda m, seq=seq: m["type"] == "ack" and m["seq"] == seq, what="the ack")
            racer.join(10)
            wait_until(lambda: snapshot(model, "value") == obj.value,
                       what=f"the snapshot to hold Python's value (round {seq})")
        assert obj.value in (100, -100)
        other.until(lambda m: m["type"] == "update" and m["state"].get("value") == obj.value,
                    what="the other view to converge")


class Clamped(traitlets.HasTraits):
    """A traitlets object made a widget by anywidget's descriptor: its validator coerces."""

    _repr_mimebundle_ = MimeBundleDescriptor(_esm="export default { render() {} };")
    value = traitlets.Int(0).tag(sync=True)

    @traitlets.validate("value")
    def _clamp(self, proposal):
        return min(proposal["value"], 10)


def test_a_value_the_validator_coerces_reaches_every_view_as_python_keeps_it(serve):
    obj = Clamped(value=10)  # coerced to what it already is: no change, nothing sent by itself
    visitor, token, (model,) = served(serve, obj)
    with visitor.peer(token) as writer, visitor.peer(token) as other:
        writer.attached()
        other.attached()
        writer.sent = 50
        writer.update(model, {"value": 50}, seq=1)
        assert final_value(writer, model, "value", 1, 10) == 10
        assert other.alive()  # (every message sent to it before this reply has been read)
        assert other.models[model]["value"] == 10  # it never heard of 50
        assert obj.value == 10 and snapshot(model, "value") == 10


# ------------------------------------------------------------ ipywidgets' echo suppression

def test_echo_suppression_is_per_thread_so_other_threads_sets_are_sent():
    """ipywidgets keeps the values a front-end write is applying in ``_property_lock`` and
    resets it afterwards; shared between threads, another thread's set read it mid-reset
    (KeyError) or was taken for the echo and never sent. The host keeps it per thread."""
    from fh_anywidget import bridge

    bridge.install()
    slider = ipywidgets.IntSlider(0)
    record = registry.get(slider.model_id)
    inside, leave = threading.Event(), threading.Event()

    def front_end_write():  # what ipywidgets does while applying a write of 1
        with slider._lock_property(value=1):
            inside.set()
            assert leave.wait(10)

    applying = threading.Thread(target=front_end_write)
    applying.start()
    assert inside.wait(10)
    assert slider._property_lock == {}  # this thread is not applying anything
    version = record.version
    slider.value = 1  # equal to the value being applied elsewhere: still Python's own change
    assert record.version == version + 1 and snapshot(slider.model_id, "value") == 1
    leave.set()
    applying.join(10)
    slider.close()
