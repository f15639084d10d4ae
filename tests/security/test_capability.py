"""Capability-scoped channel: a socket touches only models its pages were given."""

from __future__ import annotations

import logging

import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import wait_until


def test_own_and_shared_models_are_opened_nothing_else(site):
    alice, bob = site.visitor(), site.visitor()
    a_token, a_models = alice.page()
    b_token, b_models = bob.page()
    mine_a, shared = a_models
    mine_b, shared_b = b_models
    assert shared == shared_b == site.shared.model_id and mine_a != mine_b
    with alice.peer(a_token) as pa, bob.peer(b_token) as pb:
        granted_a, granted_b = pa.attached()["models"], pb.attached()["models"]
        assert set(a_models) <= set(granted_a) and set(b_models) <= set(granted_b)
        assert mine_b not in granted_a and mine_a not in granted_b
        assert mine_b not in pa.models and mine_a not in pb.models  # per-request: invisible
        # shared: visible to both, and a write by one reaches the other
        pa.update(shared, {"value": 5})
        pb.until(lambda m: m["type"] == "update" and m["state"].get("value") == 5,
                 what="the shared write at the other page")
        assert site.shared.value == 5


@pytest.mark.parametrize("kind", ["update", "custom"])
@pytest.mark.parametrize("target", ["guessed", "stolen", "closed"])
def test_foreign_model_is_refused_logged_and_unchanged(site, caplog, kind, target):
    alice, bob = site.visitor(), site.visitor()
    a_token, (mine_a, _) = alice.page()
    _, (mine_b, _) = bob.page()
    victim = {"guessed": None, "stolen": site.made[1], "closed": site.made[0]}[target]
    model = {"guessed": "0" * 32, "stolen": mine_b, "closed": mine_a}[target]
    with alice.peer(a_token) as pa:
        pa.attached()
        if target == "closed":
            site.made[0].close()
            pa.until(lambda m: m["type"] == "close" and m["model"] == mine_a, what="close")
        caplog.clear()
        with caplog.at_level(logging.WARNING, "fh_anywidget"):
            if kind == "update":
                pa.update(model, {"value": 666})
            else:
                pa.send({"type": "custom", "model": model, "content": "steal"})
            reply = pa.error()
        assert reply["model"] == model and "no model" in reply["message"]
        assert any("was not given" in r.getMessage() for r in caplog.records)
        assert pa.alive()
    if victim is not None:
        assert victim.value == 1 and victim.messages == []
    assert site.made[1].value == 1


def test_update_referencing_a_foreign_model_is_refused(site):
    alice, bob = site.visitor(), site.visitor()
    a_token, (mine_a, _) = alice.page()
    _, (mine_b, _) = bob.page()
    with alice.peer(a_token) as pa:
        pa.attached()
        pa.update(mine_a, {"child": f"IPY_MODEL_{mine_b}"})
        reply = pa.error()
        assert mine_b in reply["message"] and "not given" in reply["message"]
    assert site.made[0].child is None


def test_token_from_another_session_is_refused_before_accept(site, caplog):
    alice, mallory = site.visitor(), site.visitor()
    a_token, _ = alice.page()
    mallory.page()  # mallory has a session of her own
    with caplog.at_level(logging.WARNING, "fh_anywidget"), pytest.raises(InvalidStatus) as info:
        mallory.peer(a_token)
    assert info.value.response.status_code == 403
    assert any("another session" in r.getMessage() for r in caplog.records)
    # ... and presenting it on an accepted socket later gets nothing either
    m_token, _ = mallory.page()
    with mallory.peer(m_token) as pm:
        pm.attached()
        pm.send({"type": "attach", "token": a_token})
        assert pm.until(lambda m: m["type"] == "unknown-page")["token"] == a_token
    assert site.made[0].value == 1


def test_unknown_token_is_told_so(site):
    with site.visitor().peer("not-a-token") as p:
        assert p.attached()["type"] == "unknown-page"


def test_page_models_close_after_grace_shared_live_on(serve):
    from tests.security.conftest import build_site

    site = build_site(serve, grace=0.2)
    try:
        visitor = site.visitor()
        token, (mine, shared) = visitor.page()
        with visitor.peer(token) as p:
            p.attached()
        wait_until(lambda: site.host.registry.get(mine) is None, what="page model closed")
        assert site.host.registry.get(shared) is not None
        assert site.host.pages.get(token) is None
    finally:
        site.host.close()
