"""Exactly-once delivery of browser writes across reconnects.

A browser runtime names itself with a random ``client`` id on every socket it opens and numbers
each ``update``/``custom`` it sends (``seq``, increasing). It keeps a message until the server
acknowledges it and, after a reconnect, sends every unacknowledged one again, in order. The server
remembers per client the highest ``seq`` it has received: a resent message it already has is
acknowledged again, never applied twice. Acknowledgements are sent once a message is *applied*
and carry the server's values of the keys it wrote where they differ from what was sent, so the
writer converges even when the reply to its write was lost with the old socket. See
docs/protocol.md ("Delivery and reconnect").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

#: Client ids are minted by the browser; anything else is refused at the handshake.
CLIENT_ID_MAX = 64


@dataclass(eq=False)
class Client:
    identity: str | None
    client_id: str
    received: int = 0  # highest seq taken in
    running: set[int] = field(default_factory=set)  # taken in, not yet applied
    connection: Any = None  # the socket currently carrying this client, if any
    idle_since: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, seq: int) -> bool:
        """True if ``seq`` is new (and now running); False for a message already received."""
        with self.lock:
            if seq <= self.received:
                return False
            self.received = seq
            self.running.add(seq)
            return True

    def is_running(self, seq: int) -> bool:
        with self.lock:
            return seq in self.running

    def done(self, seq: int) -> Any:
        """Mark ``seq`` applied; return the connection its acknowledgement should go to."""
        with self.lock:
            self.running.discard(seq)
            return self.connection

    def connected(self, connection: Any) -> None:
        with self.lock:
            self.connection = connection

    def disconnected(self, connection: Any) -> None:
        with self.lock:
            if self.connection is connection:
                self.connection = None
                self.idle_since = time.monotonic()


class ClientTable:
    """Clients seen recently; forgotten after the grace period without a socket."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.clients: dict[tuple[str | None, str], Client] = {}
        self._lock = threading.Lock()

    def get(self, identity: str | None, client_id: str) -> Client:
        # Keyed by identity too: a client id replayed from another session is a different client.
        key = (identity, client_id)
        with self._lock:
            client = self.clients.get(key)
            if client is None:
                client = self.clients[key] = Client(identity, client_id)
            return client

    def sweep(self, now: float) -> None:
        with self._lock:
            for key, client in list(self.clients.items()):
                if client.connection is None and now - client.idle_since >= self.grace:
                    del self.clients[key]
