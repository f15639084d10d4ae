"""The protocol's new browser → server message: detach (a document let go of a page)."""

import pytest

from fh_anywidget.framing import validate_header
from fh_anywidget.wire import MessageError


def test_detach_needs_a_token():
    assert validate_header({"type": "detach", "token": "abc"}, 10)["token"] == "abc"
    for token in (None, "", 5):
        bad = {"type": "detach"} if token is None else {"type": "detach", "token": token}
        with pytest.raises(MessageError, match="detach: 'token'"):
            validate_header(bad, 10)
