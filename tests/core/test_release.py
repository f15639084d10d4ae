"""Grants are counted per page: detaching a page releases, on both sides, the models no other
page of the socket gives it (issue 10, item 4)."""

from __future__ import annotations

from fasthtml.common import Div

from tests.apps import make_app
from tests.conftest import wait_until
from tests.security.peer import Visitor
from tests.widgets.counter import Counter


def test_detaching_a_page_releases_what_only_it_gave_and_nothing_else(serve):
    app, rt, _ = make_app()
    shared = Counter(value=100)
    made: list[Counter] = []

    @rt("/")
    def index():
        made.append(Counter(value=len(made)))
        return Div(made[-1], shared)

    visitor = Visitor(serve(app).url)
    token_a, (mine_a, _) = visitor.page()
    token_b, (mine_b, shared_id) = visitor.page()
    with visitor.peer(token_a) as p:
        p.attached()
        p.send({"type": "attach", "token": token_b})
        p.attached()
        p.send({"type": "detach", "token": token_a})
        p.until(lambda m: m["type"] == "release" and m["model"] == mine_a, what="the release")
        assert p.alive()  # (everything the detach caused has been read)
        gone = {m["model"] for m in p.received if m["type"] == "release"}
        assert mine_a in gone and shared_id not in gone and mine_b not in gone
        assert made[0].layout.model_id in gone  # and what it referenced
        seen = len(p.received)

        made[0].value = 41  # Python changes of a released model no longer reach the socket
        shared.value = 101
        p.until(lambda m: m["type"] == "update" and m["model"] == shared_id, what="shared update")
        assert not [m for m in p.received[seen:] if m.get("model") == mine_a]

        p.update(mine_a, {"value": 666}, seq=1)  # ... and the socket can no longer write it
        assert "no model" in p.error()["message"]
        assert made[0].value == 41
        p.update(mine_b, {"value": 5}, seq=2)
        wait_until(lambda: made[1].value == 5, what="the page still held to take writes")
