"""How many bytes of browser messages the process holds at once, across all sockets.

A message's buffers are reserved in full before its first byte is read (so a message that has
started always completes: no two half-read messages can wait on each other) and released when
it has been applied or discarded. Bytes are held only as they arrive (framing.py); the budget
bounds what sockets may make the server hold in total and per identity, so one visitor cannot
take it all. A reader that does not fit waits (its socket is not read: TCP backpressure).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable


class InboundBudget:
    def __init__(self, total: int, per_identity: int) -> None:
        self.total = total
        self.per_identity = min(per_identity, total)
        self._used = 0
        self._by_identity: dict[Hashable, int] = {}
        self._waiters: list[tuple[Hashable, int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._used

    def can_ever_fit(self, nbytes: int) -> bool:
        return nbytes <= self.per_identity

    def _fits(self, identity: Hashable, nbytes: int) -> bool:
        return (self._used + nbytes <= self.total
                and self._by_identity.get(identity, 0) + nbytes <= self.per_identity)

    def _take(self, identity: Hashable, nbytes: int) -> None:
        self._used += nbytes
        self._by_identity[identity] = self._by_identity.get(identity, 0) + nbytes

    async def reserve(self, identity: Hashable, nbytes: int) -> None:
        """Wait until ``nbytes`` more fit for ``identity`` (callers check :meth:`can_ever_fit`)."""
        if nbytes == 0:
            return
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._waiters and self._fits(identity, nbytes):
                self._take(identity, nbytes)
                return
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((identity, nbytes, loop, future))
        try:
            await future
        except asyncio.CancelledError:
            with self._lock:
                waiting = [w for w in self._waiters if w[3] is future]
                for waiter in waiting:
                    self._waiters.remove(waiter)
            if not waiting:  # granted just as it was cancelled: give it back
                self.release(identity, nbytes)
            raise

    def release(self, identity: Hashable, nbytes: int) -> None:
        """Give bytes back (any thread) and let waiting readers in, oldest first."""
        if nbytes == 0:
            return
        with self._lock:
            self._used -= nbytes
            left = self._by_identity.get(identity, 0) - nbytes
            if left > 0:
                self._by_identity[identity] = left
            else:
                self._by_identity.pop(identity, None)
            granted = []
            for waiter in list(self._waiters):
                who, size, _, future = waiter
                if not future.cancelled() and self._fits(who, size):
                    self._take(who, size)
                    self._waiters.remove(waiter)
                    granted.append(waiter)
        for _, _, loop, future in granted:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
