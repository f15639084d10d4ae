"""Handshake checks made before the socket is accepted: the app's auth, and the Origin header."""

from __future__ import annotations

import pytest
from fasthtml.common import Titled
from websockets.exceptions import InvalidStatus

from tests.apps import make_app
from tests.security.peer import Peer, Visitor
from tests.security.widgets import Guarded


def logged_in(scope) -> bool:
    """The app's own rule, as its Beforeware would apply it to HTTP requests."""
    return bool(scope.get("session", {}).get("auth"))


@pytest.fixture
def auth_site(serve):
    app, rt, host = make_app(auth=logged_in)

    @rt("/login")
    def login(session):
        session["auth"] = "alice"
        return "ok"

    @rt("/logout")
    def logout(session):
        session.pop("auth", None)
        return "bye"

    @rt("/")
    def index():
        return Titled("Private", Guarded())

    yield serve(app).url
    host.close()


def refused(make) -> int:
    with pytest.raises(InvalidStatus) as info:
        make()
    return info.value.response.status_code


def test_socket_needs_the_apps_login(auth_site):
    visitor = Visitor(auth_site)
    token, _ = visitor.page()  # the page itself is public here; its socket is not
    assert refused(lambda: visitor.peer(token)) == 403
    assert refused(lambda: Peer(auth_site, None)) == 403
    visitor.get("/login")
    token, models = visitor.page()
    with visitor.peer(token) as p:
        assert set(models) <= set(p.attached()["models"])
    visitor.get("/logout")
    assert refused(lambda: visitor.peer(token)) == 403


@pytest.fixture
def origin_site(serve):
    app, rt, host = make_app(allowed_origins=["https://app.example"])

    @rt("/")
    def index():
        return Titled("Any", Guarded())

    yield serve(app).url
    host.close()


def test_origin_checked_before_accept(origin_site):
    visitor = Visitor(origin_site)
    token, models = visitor.page()
    own = origin_site  # http://127.0.0.1:port
    for origin in (own, "https://app.example", None):  # same origin, allowlisted, not a browser
        with visitor.peer(token, origin=origin) as p:
            assert set(models) <= set(p.attached()["models"])
    hostile = ("https://evil.example", "http://127.0.0.1:1", "null", own.replace("http", "https"))
    for origin in hostile:
        assert refused(lambda o=origin: visitor.peer(token, origin=o)) == 403
