"""Every inbound frame is validated: clear error replies, proper close codes, no partial state."""

from __future__ import annotations

import json

import pytest
from fasthtml.common import Titled

from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.conftest import build_site
from tests.security.peer import Visitor
from tests.security.widgets import Gated

CLOSE_PROTOCOL_ERROR, CLOSE_UNSUPPORTED, CLOSE_TOO_BIG = 1002, 1003, 1009


@pytest.fixture
def small_site(serve):
    site = build_site(serve, max_payload=1024)
    yield site
    site.host.close()


@pytest.fixture
def peer(small_site):
    visitor = small_site.visitor()
    token, models = visitor.page("/mine")
    with visitor.peer(token) as p:
        p.attached()
        p.model = models[0]
        p.widget = small_site.made[-1]
        yield p


def test_malformed_headers_get_error_replies(peer):
    m = peer.model
    def h(**fields) -> str:
        return json.dumps(fields)

    cases = [
        ("{not json", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),  # nesting bomb
        ("[1, 2]", "JSON object"),
        ('"update"', "JSON object"),
        (h(type="hack"), "unknown message type"),
        (h(type="open", model=m), "unknown message type"),
        (h(type="update", model=5, state={}), "'model'"),
        (h(type="update", model=m, state=[]), "'state'"),
        (h(type="update", model=m, state={}, buffers=["a"]), "'buffers'"),
        (h(type="update", model=m, state={}, buffers=[True]), "'buffers'"),
        (h(type="update", model=m, state={}, buffer_paths=[["x"]]), "one to one"),
        (h(type="update", model=m, state={}, seq="1"), "'seq'"),
        (h(type="views", model=m, count=1), "unknown message type"),
        (h(type="attach", token=7), "'token'"),
        (h(type="update", model=m, state={"value": 1}, buffers=[2000]), "over this host's limit"),
    ]
    for frame, expected in cases:
        peer.raw(frame)
        if "[2000]" in frame:  # the refused payload is skipped; framing stays aligned
            peer.raw(b"x" * 1000)
            peer.raw(b"x" * 1000)
        reply = peer.error(frame[:40])
        assert expected in reply["message"], (frame[:60], reply)
    assert peer.alive()
    assert peer.widget.value == 1


@pytest.mark.parametrize("state, expected", [
    ({"_esm": "alert(1)"}, "cannot be written"),
    ({"_css": "body{}"}, "cannot be written"),
    ({"_model_name": "X"}, "cannot be written"),
    ({"a": 5, "_anywidget_id": "x"}, "cannot be written"),  # refused whole: 'a' stays too
])
def test_forbidden_writes_are_refused_whole(peer, state, expected):
    peer.update(peer.model, state)
    assert expected in peer.error()["message"]
    w = peer.widget
    assert (w.locked, w.a) == (7, 0) and "alert" not in w._esm
    assert peer.alive()


def test_unknown_keys_are_skipped_as_ipywidgets_does(peer):
    """ipywidgets' set_state skips keys that are not synced traits; so does the host (the rest
    of the write applies, no error)."""
    peer.update(peer.model, {"a": 5, "nonexistent": 1}, seq=1)
    ack = peer.until(lambda m: m["type"] == "ack" and m.get("seq") == 1, what="the ack")
    assert ack["state"] == {}  # kept as sent
    assert peer.widget.a == 5 and not hasattr(peer.widget, "nonexistent")
    assert not [m for m in peer.received if m["type"] == "error"]


def test_read_only_traits_follow_ipywidgets(peer):
    """traitlets' read_only binds Python code, not the front end: ipywidgets' set_state writes
    such traits, and real widgets (jupyter-scatter's view state) rely on it, so the host does too."""
    peer.update(peer.model, {"locked": 1}, seq=1)
    ack = peer.until(lambda m: m["type"] == "ack" and m.get("seq") == 1, what="the ack")
    assert ack["model"] == peer.model
    assert peer.widget.locked == 1


@pytest.mark.parametrize("state", [{"a": 5, "value": "x"}, {"a": 6, "value": -1},
                                   {"b": 2, "items": [1, "two"]}])
def test_invalid_values_never_leave_partial_state(peer, state):
    peer.update(peer.model, state, seq=1)
    error = peer.error()
    assert error["model"] == peer.model
    w = peer.widget
    assert (w.a, w.b, w.value, w.items) == (0, 0, 1, [])
    assert peer.alive()


def test_widget_exceptions_are_reported_and_the_socket_lives(peer, caplog):
    peer.update(peer.model, {"value": 13})
    assert "observer exploded" in peer.error()["message"]
    peer.send({"type": "custom", "model": peer.model, "content": "boom"})
    assert "handler exploded" in peer.error()["message"]
    peer.update(peer.model, {"value": 14})
    wait_until(lambda: peer.widget.value == 14)
    assert peer.alive()
    assert any("exploded" in r.getMessage() or (r.exc_info and "exploded" in str(r.exc_info[1]))
               for r in caplog.records)


@pytest.mark.parametrize("frames, code", [
    ([b"\x00garbage"], CLOSE_UNSUPPORTED),  # binary frame with no header announcing it
    (['{"type": "custom", "model": "m", "content": 1, "buffers": [4]}', "{}"],
     CLOSE_PROTOCOL_ERROR),  # a header where the announced buffer should be
    (['{"type": "custom", "model": "m", "content": 1, "buffers": [4]}', b"12345"],
     CLOSE_PROTOCOL_ERROR),  # a buffer longer than announced
])
def test_framing_violations_close_with_a_code(small_site, frames, code):
    visitor = small_site.visitor()
    token, _ = visitor.page("/mine")
    with visitor.peer(token) as p:
        p.attached()
        for frame in frames:
            p.raw(frame)
        assert p.closed_with()[0] == code


def test_oversize_frame_closes_1009(serve):
    site = build_site(lambda app: serve(app, ws_max_size=64 * 1024))
    try:
        visitor = site.visitor()
        token, _ = visitor.page("/mine")
        with visitor.peer(token) as p:
            p.attached()
            p.raw(json.dumps({"type": "log", "message": "x" * 100_000}))
            assert p.closed_with()[0] == CLOSE_TOO_BIG
    finally:
        site.host.close()


def test_flooding_a_slow_model_is_bounded(serve):
    app, rt, host = make_app(max_inflight=8)
    made = []

    @rt("/")
    def index():
        made.append(Gated())
        return Titled("Slow", made[-1])

    visitor = Visitor(serve(app).url)
    token, (model,) = visitor.page()
    record = host.registry.get(model)
    try:
        with visitor.peer(token) as p:
            p.attached()
            for n in range(1, 201):
                p.update(model, {"value": n})
            assert made[0].entered.wait(10)
            # the socket stops being read: the model's inbox stays within the limit
            wait_until(lambda: len(record.inbox) >= 7, what="inbox to fill up")
            for _ in range(50):
                assert len(record.inbox) <= 8
            made[0].gate.set()
            wait_until(lambda: made[0].value == 200 and len(made[0].seen) == 200,
                       what="every update applied, in order")
            assert made[0].seen == list(range(1, 201))
            assert p.alive()
        # a client that leaves while its messages are stuck behind the model is let go once the
        # model catches up, and what it had sent is still applied
        made[0].gate.clear()
        made[0].entered.clear()
        page = host.pages.get(token)
        with visitor.peer(token) as p:
            p.attached()
            for n in range(201, 301):
                p.update(model, {"value": n})
            assert made[0].entered.wait(10)
            wait_until(lambda: len(record.inbox) >= 7, what="inbox to fill up")
        assert len(record.inbox) <= 8
        made[0].gate.set()
        wait_until(lambda: not page.held, what="the socket to be torn down")
        wait_until(lambda: made[0].seen[-1:] == [300], what="every update applied")
    finally:
        made[0].gate.set()
        host.close()
