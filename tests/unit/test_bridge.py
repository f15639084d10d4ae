"""The comm bridge captures unmodified widgets' comms (no kernel, no browser)."""

import subprocess
import sys
import textwrap

import anywidget
import ipywidgets
import traitlets

from fh_anywidget import bridge
from fh_anywidget.bridge import HostComm
from fh_anywidget.models import registry

bridge.install()  # what every WidgetHost does


class Thing(anywidget.AnyWidget):
    _esm = "export default { render() {} }"
    _css = ".thing { color: red }"
    value = traitlets.Int(1).tag(sync=True)
    blob = traitlets.Bytes(b"\x00\x01").tag(sync=True)


def test_every_widget_comm_is_captured_with_its_layout():
    w = Thing()
    assert isinstance(w.comm, HostComm)
    record = registry.get(w.model_id)
    assert record is not None and record.is_anywidget
    layout_id = record.slots["layout"].refs
    assert len(layout_id) == 1 and registry.get(next(iter(layout_id))) is not None
    w.close()


def test_code_is_kept_as_assets_not_state():
    w = Thing()
    record = registry.get(w.model_id)
    assert "_esm" not in record.slots and "_css" not in record.slots
    assert record.esm is not None and record.esm.text == Thing._esm
    assert record.code_fields()["esm"] == f"{record.esm.digest}.js"
    w.close()


def test_python_changes_fold_into_the_snapshot_with_buffers():
    w = Thing()
    record = registry.get(w.model_id)
    w.value = 7
    w.blob = b"\x05" * 3
    assert record.slots["value"].json == "7"
    assert [bytes(b) for b in record.slots["blob"].buffers] == [b"\x05\x05\x05"]
    model_id = w.model_id
    w.close()
    assert registry.get(model_id) is None and record.closed


def test_widgets_made_before_the_bridge_are_adopted_with_their_children(monkeypatch):
    import comm

    monkeypatch.setattr(comm, "create_comm", comm._create_comm)
    inner = ipywidgets.IntSlider(2)
    early = ipywidgets.VBox([inner])
    assert not isinstance(early.comm, HostComm) and registry.get(early.model_id) is None
    monkeypatch.undo()  # the host's factory is back, as after WidgetHost(app)
    bridge.adopt(early)
    for widget in (early, inner, inner.layout, inner.style):
        assert isinstance(widget.comm, HostComm) and registry.get(widget.model_id) is not None
    assert registry.get(early.model_id).refs >= {inner.model_id, early.layout.model_id}
    early.close()
    inner.close()


def test_a_closed_widget_is_not_reopened_by_adoption():
    slider = ipywidgets.IntSlider(1)
    slider.close()
    bridge.adopt(slider)
    assert slider.comm is None


IMPORT_ONLY = textwrap.dedent("""
    import comm, ipywidgets
    import fh_anywidget
    from fh_anywidget.bridge import HostComm

    before = ipywidgets.IntSlider(1)
    assert comm.create_comm is comm._create_comm, "importing must not take over comms"
    assert not isinstance(before.comm, HostComm)

    from fasthtml.common import fast_app
    app, rt = fast_app()
    fh_anywidget.WidgetHost(app)
    assert isinstance(before.comm, HostComm), "a host moves the widgets made before it"
    assert isinstance(ipywidgets.IntSlider(2).comm, HostComm)
    print("ok")
""")


def test_importing_the_package_leaves_comms_alone_until_a_host_is_made():
    """A Jupyter kernel that imports an app module keeps its own widget transport."""
    out = subprocess.run([sys.executable, "-c", IMPORT_ONLY], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_classic_ipywidgets_are_captured_too():
    slider = ipywidgets.IntSlider(3)
    record = registry.get(slider.model_id)
    assert record is not None and not record.is_anywidget
    slider.close()


class Mixed(anywidget.AnyWidget):
    _esm = "export default { render() {} }"
    number = traitlets.Float(0.0).tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    flag = traitlets.Bool(False).tag(sync=True)
    maybe = traitlets.Int(0, allow_none=True).tag(sync=True)
    items = traitlets.List([]).tag(sync=True)
    scaled = traitlets.Int(0).tag(sync=True, to_json=lambda v, _: v * 10)


class CustomState(anywidget.AnyWidget):
    """A widget that decides what its state looks like: its own get_state must be used."""

    _esm = "export default { render() {} }"
    value = traitlets.Int(0).tag(sync=True)

    def get_state(self, key=None, drop_defaults=False):
        state = super().get_state(key, drop_defaults)
        if "value" in state:
            state["value"] = -state["value"]
        return state


def sent(widget, **changes) -> dict[str, str]:
    """What the record holds for each changed trait after the Python sets."""
    record = registry.get(widget.model_id)
    before = record.version
    for name, value in changes.items():
        setattr(widget, name, value)
    assert record.version == before + len(changes), "each set is one new version"
    return {name: record.slots[name].json for name in changes}


def test_a_python_set_reaches_the_record_as_ipywidgets_would_send_it():
    """Scalar sets skip the kernel message ipywidgets would build; the JSON must not change:
    serializers (`to_json`), floats, None, and non-scalars (taking ipywidgets' own path)."""
    w = Mixed()
    assert sent(w, number=1.5, text='a "quote" é\n', flag=True, maybe=None, items=[1, "b"],
                scaled=3) == {"number": "1.5", "text": '"a \\"quote\\" é\\n"',
                              "flag": "true", "maybe": "null", "items": '[1,"b"]',
                              "scaled": "30"}
    custom = CustomState()
    assert sent(custom, value=4) == {"value": "-4"}
    w.close()
    custom.close()


def test_a_set_during_a_browser_write_of_the_same_trait_keeps_ipywidgets_echo_rules():
    """While the property lock holds the browser's value, ipywidgets decides what to send."""
    w = Mixed()
    record = registry.get(w.model_id)
    with w._lock_property(number=2.0):
        before = record.version
        w.number = 2.0  # the value the browser sent: no echo
        assert record.version == before
        w.number = 3.0  # a different value: sent
        assert record.slots["number"].json == "3.0" and record.version == before + 1
    w.close()


class Pushed(traitlets.HasTraits):
    data = traitlets.Any(None)


def notifications(*values) -> list[bool]:
    """For each set in turn, whether traitlets called observers."""
    obj, seen = Pushed(), []
    obj.observe(lambda change: seen.append(change["new"]), names="data")
    result = []
    for value in values:
        before = len(seen)
        obj.data = value
        result.append(len(seen) > before)
    return result


def test_buffer_sets_notify_exactly_when_traitlets_would():
    """Buffers from a browser are memoryviews; the host compares them by bytes (and a buffer
    with itself not at all), which must never change which sets count as changes."""
    first = memoryview(bytearray(b"\x01" * 100_000))
    same_bytes = memoryview(bytearray(b"\x01" * 100_000))
    last_differs = memoryview(bytearray(b"\x01" * 99_999 + b"\x02"))
    shorter = memoryview(bytearray(b"\x01" * 10))
    assert notifications(first, first, same_bytes, last_differs, shorter, b"\x01" * 10, None) == [
        True, False, False, True, True, False, True]  # bytes equal to the buffer: no change
    nan = memoryview(bytearray(8)).cast("d")
    nan[0] = float("nan")
    assert notifications(nan, nan) == [True, True]  # NaN != NaN item by item, even itself
    strided = memoryview(bytearray(b"\x01\x02" * 8))[::2]
    assert notifications(strided, memoryview(bytearray(b"\x01" * 8))) == [True, False]
