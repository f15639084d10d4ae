"""The comm bridge captures unmodified widgets' comms (no kernel, no browser)."""

import anywidget
import ipywidgets
import traitlets

import fh_anywidget  # noqa: F401  (installs the bridge)
from fh_anywidget.bridge import HostComm
from fh_anywidget.models import registry


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
    assert record.code_fields()["esm"].endswith(f"{record.esm.digest}.js")
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


def test_widgets_made_before_the_bridge_are_adopted(monkeypatch):
    import comm

    from fh_anywidget import bridge

    monkeypatch.setattr(comm, "create_comm", comm._create_comm)
    early = Thing()
    assert not isinstance(early.comm, HostComm) and registry.get(early.model_id) is None
    bridge.install()
    bridge.adopt(early)
    assert isinstance(early.comm, HostComm) and registry.get(early.model_id) is not None
    early.close()


def test_classic_ipywidgets_are_captured_too():
    slider = ipywidgets.IntSlider(3)
    record = registry.get(slider.model_id)
    assert record is not None and not record.is_anywidget
    slider.close()
