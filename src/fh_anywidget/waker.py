"""Waking many sockets' writers with one event-loop callback.

A change to a widget shown on a thousand pages wakes a thousand writers: one loop callback (and,
from another thread, one self-pipe write) for all of them instead of one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Waker:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self._events: list[asyncio.Event] = []
        self._lock = threading.Lock()

    def wake(self, event: asyncio.Event) -> None:
        with self._lock:
            self._events.append(event)
            if len(self._events) > 1:
                return  # a callback is already on its way
        with contextlib.suppress(RuntimeError):  # loop closed: the sockets are gone anyway
            if threading.get_ident() == self.thread:
                self.loop.call_soon(self._run)
            else:
                self.loop.call_soon_threadsafe(self._run)

    def _run(self) -> None:
        with self._lock:
            events, self._events = self._events, []
        for event in events:
            event.set()


_wakers: dict[asyncio.AbstractEventLoop, Waker] = {}
_wakers_lock = threading.Lock()


def waker_for(loop: asyncio.AbstractEventLoop) -> Waker:
    with _wakers_lock:
        waker = _wakers.get(loop)
        if waker is None:
            for old in [k for k in _wakers if k.is_closed()]:
                del _wakers[old]
            waker = _wakers[loop] = Waker(loop)
        return waker
