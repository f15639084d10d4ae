"""A protocol-level client of the page socket (no browser): what an attacker or a fuzzer holds.

`Visitor` fetches pages over HTTP keeping its own cookies (so it is one session); `Peer` speaks
the wire protocol (docs/protocol.md) on a real WebSocket to a live server.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.request
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

SOCKET = "/_fh_anywidget/ws"


class Visitor:
    """One browser-less session: its own cookie jar."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str = "/") -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def page(self, path: str = "/") -> tuple[str, list[str]]:
        """Render a page; return its token and the model ids it shows."""
        html = self.get(path)
        tokens = set(re.findall(r'page="([^"]+)"', html))
        assert len(tokens) == 1, html
        return tokens.pop(), re.findall(r'model="([^"]+)"', html)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def peer(self, token: str | None = None, **options: Any) -> Peer:
        headers = {"Cookie": self.cookie_header()} if len(self.jar) else {}
        return Peer(self.base, token, headers=headers, **options)


class Peer:
    def __init__(self, base: str, token: str | None, headers: dict[str, str] | None = None,
                 origin: str | None = None, client: str | None = None) -> None:
        url = base.replace("http://", "ws://") + SOCKET
        query = [f"page={token}"] if token else []
        if client:
            query.append(f"client={client}")
        if query:
            url += "?" + "&".join(query)
        self._connect = connect(url, additional_headers=headers or {}, origin=origin,
                                compression=None, max_size=None, open_timeout=10,
                                close_timeout=0.5)
        self.ws: ClientConnection = self._connect.__enter__()
        self.models: dict[str, dict[str, Any]] = {}  # state of every model opened on this socket
        self.received: list[dict[str, Any]] = []

    def close(self) -> None:
        self._connect.__exit__(None, None, None)

    def __enter__(self) -> Peer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ sending

    def send(self, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
        header = {**header, "buffers": [len(b) for b in buffers]}
        self.ws.send(json.dumps(header))
        for b in buffers:
            self.ws.send(b)

    def raw(self, frame: str | bytes) -> None:
        self.ws.send(frame)

    def update(self, model: str, state: dict[str, Any], **extra: Any) -> None:
        self.send({"type": "update", "model": model, "state": state, "buffer_paths": [], **extra})

    # ------------------------------------------------------------ receiving

    def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        header = self.ws.recv(timeout=timeout)
        assert isinstance(header, str), f"expected a header frame, got {header!r:.80}"
        message = json.loads(header)
        message["_buffers"] = [self.ws.recv(timeout=timeout) for _ in message.get("buffers", [])]
        if message["type"] in ("open", "update"):
            self.models.setdefault(message["model"], {}).update(message["state"])
        self.received.append(message)
        return message

    def until(self, predicate, timeout: float = 10.0, what: str = "a message") -> dict[str, Any]:
        """Read messages until one satisfies ``predicate``; return it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; got {self.received[-5:]}")
            message = self.recv(timeout=left)
            if predicate(message):
                return message

    def attached(self) -> dict[str, Any]:
        return self.until(lambda m: m["type"] in ("attached", "unknown-page"), what="attached")

    def error(self, what: str = "an error reply") -> dict[str, Any]:
        return self.until(lambda m: m["type"] == "error", what=what)

    def closed_with(self, timeout: float = 10.0) -> tuple[int | None, str]:
        """Read until the server closes the socket; return its close code and reason."""
        try:
            while True:
                self.recv(timeout=timeout)
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            return (rcvd.code, rcvd.reason) if rcvd else (None, "")

    def alive(self) -> bool:
        """A round trip proves the socket still works: an invalid message gets its error reply."""
        self.send({"type": "custom", "model": "liveness-probe", "content": None})
        reply = self.until(lambda m: m["type"] == "error" and m.get("model") == "liveness-probe",
                           what="the liveness reply")
        return "no model" in reply["message"]
