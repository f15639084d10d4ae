"""The outbox: every message counted until written, every value kept while the socket keeps up,
state changes merged per model once it is behind (in bytes or in messages), overflow past the
bound."""

from __future__ import annotations

import json

import pytest

from fh_anywidget.outbox import Outbox, Overflow
from fh_anywidget.wire import Slot, StateChange, simple_message


def change(model: str, version: int, **state: object) -> StateChange:
    return StateChange(model, {k: Slot.of(v) for k, v in state.items()}, version)


def put(box: Outbox, c: StateChange) -> None:
    box.put(c.model, c.message, c)


def states(box: Outbox) -> list[tuple[str | None, dict]]:
    return [(e.model, json.loads(e.message.header).get("state")) for e in box.take()]


def test_a_socket_that_keeps_up_gets_every_value():
    box = Outbox(max_bytes=10**6, merge_after=10**6, merge_after_messages=10)
    for i, v in enumerate([1, 0, 2, 0]):
        put(box, change("m", i + 1, value=v))
    assert [s for _, s in states(box)] == [{"value": 1}, {"value": 0}, {"value": 2}, {"value": 0}]


def test_behind_in_messages_merges_per_model_never_across_its_other_messages():
    box = Outbox(max_bytes=10**6, merge_after=10**6, merge_after_messages=2)
    put(box, change("m", 1, a=1))
    put(box, change("n", 1, a=1))
    put(box, change("m", 2, a=2))  # 2 outstanding: not behind yet
    put(box, change("m", 3, b=3))  # behind: merged into m's last queued change
    box.put("m", simple_message("custom", "m", content={}))
    put(box, change("m", 4, a=4))  # after m's custom message: a new entry
    taken = box.take()
    assert [(e.model, e.message.kind) for e in taken] == [
        ("m", "update"), ("n", "update"), ("m", "update"), ("m", "custom"), ("m", "update")]
    merged = json.loads(taken[2].message.header)
    assert merged["state"] == {"a": 2, "b": 3} and merged["version"] == 3
    assert box.merged == 1


def test_behind_in_bytes_merges_too():
    box = Outbox(max_bytes=10**7, merge_after=1000, merge_after_messages=10**6)
    put(box, change("m", 1, blob="x" * 2000))
    put(box, change("m", 2, blob="y"))
    assert len(box) == 1 and box.merged == 1


def test_bytes_stay_counted_until_written_and_overflow_refuses():
    box = Outbox(max_bytes=300, merge_after=10**6)
    put(box, change("m", 1, blob="x" * 100))
    batch = box.take()
    assert len(box) == 0 and box.nbytes > 100  # taken, not yet written: still counted
    with pytest.raises(Overflow):
        box.put(None, simple_message("html", None, html="y" * 300))
    box.written(*batch)
    assert box.nbytes == 0
    box.put(None, simple_message("html", None, html="y" * 250))  # fits once written
