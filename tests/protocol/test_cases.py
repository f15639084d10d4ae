"""The Python side of the protocol against the shared examples."""

import json

import pytest

from fh_anywidget.codec import put_buffers
from fh_anywidget.framing import BufferAssembler, declared_lengths, validate_header
from fh_anywidget.wire import MessageError, Slot, state_message
from tests.protocol.cases import CASES, decode

MESSAGES = CASES["messages"]


def read(text: str, frames: list[bytes]):
    """What the server's reader does with a header and its frames: (header, buffers)."""
    header = validate_header(json.loads(text), max_payload=1 << 20)
    assembler = BufferAssembler()
    buffers = []
    if header["buffers"]:
        assembler.expect(header["buffers"])
        for frame in frames:
            assert buffers == [] or buffers is None
            buffers = assembler.feed(frame)
    assert not assembler.busy
    return header, buffers


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
    header, buffers = read(json.dumps(case["header"]), [bytes.fromhex(f) for f in case["frames"]])
    state = header["state"]
    put_buffers(state, header["buffer_paths"], [bytes(b) for b in buffers])
    assert state == decode(case["state"])


@pytest.mark.parametrize("case", CASES["refused"], ids=[c["name"] for c in CASES["refused"]])
def test_server_refuses_malformed_headers_before_their_buffers(case):
    """Refused at the header, before a byte of its buffers is kept; the buffers it announced
    are read and dropped, so framing stays aligned."""
    try:
        raw = json.loads(case["text"])
    except ValueError:
        raw = None
        with pytest.raises(ValueError):
            json.loads(case["text"])
    else:
        with pytest.raises(MessageError, match=case["error"]):
            validate_header(raw, max_payload=1 << 20)
    assembler = BufferAssembler()
    skipped = declared_lengths(raw)
    if skipped:
        assembler.expect(skipped, discard=True)
        for length in skipped:
            assert assembler.feed(b"\0" * length) is None
    assert not assembler.busy
