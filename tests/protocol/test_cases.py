"""The Python side of the protocol against the shared examples."""

import json

import pytest

from fh_anywidget.codec import put_buffers
from fh_anywidget.wire import FrameAssembler, MessageError, Slot, state_message
from tests.protocol.cases import CASES, decode

MESSAGES = CASES["messages"]


@pytest.mark.parametrize("case", MESSAGES, ids=[c["name"] for c in MESSAGES])
def test_server_encodes_state_as_documented(case):
    state = decode(case["state"])
    message = state_message("update", case["header"]["model"], {k: Slot.of(v) for k, v in state.items()})
    header = json.loads(message.header)
    expected = case["header"]
    assert header["state"] == expected["state"]
    assert header["buffer_paths"] == expected["buffer_paths"]
    assert header["buffers"] == expected["buffers"]
    assert b"".join(bytes(b) for b in message.buffers) == b"".join(bytes.fromhex(f) for f in case["frames"])


@pytest.mark.parametrize("case", MESSAGES, ids=[c["name"] for c in MESSAGES])
def test_server_decodes_frames_as_documented(case):
    assembler = FrameAssembler(max_payload=1 << 20)
    done = assembler.feed_text(json.dumps(case["header"]))
    for frame in case["frames"]:
        assert done is None
        done = assembler.feed_bytes(bytes.fromhex(frame))
    assert done is not None and assembler.idle
    state = done.header["state"]
    put_buffers(state, done.header["buffer_paths"], [bytes(b) for b in done.buffers])
    assert state == decode(case["state"])


@pytest.mark.parametrize("case", CASES["refused"], ids=[c["name"] for c in CASES["refused"]])
def test_server_refuses_malformed_headers(case):
    """Refused after any buffers the header announced were skipped, so framing stays aligned."""
    assembler = FrameAssembler(max_payload=1 << 20)
    with pytest.raises(MessageError, match=case["error"]):
        assembler.feed_text(case["text"])
        for length in json.loads(case["text"]).get("buffers", []):
            assembler.feed_bytes(b"\0" * length)
    assert assembler.idle
