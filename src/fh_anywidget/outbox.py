"""What one page socket still has to write: in order, bounded in bytes.

Every outgoing message — state, custom messages, acknowledgements, errors, pushed HTML — is
counted from the moment it is queued until it has been written. A socket that keeps up receives
every message, in order, exactly as a Jupyter kernel would deliver them (a trait set to a value
and straight back is two updates). One that falls more than ``merge_after`` bytes or
``merge_after_messages`` messages behind (a storm of small changes is behind in count long
before bytes) gets each model's queued state changes merged (the latest value of each key; never
across another message of that model, so order per model holds). One that falls more than
``max_bytes`` behind is dropped (:class:`Overflow`): it reconnects and resyncs from the current
state.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from .wire import Outgoing, StateChange


@dataclass(slots=True)
class Entry:
    model: str | None  # None: a page-level message (html, event, hello, …)
    message: Outgoing
    change: StateChange | None = None  # set for a state update, which may be merged


class Overflow(Exception):
    """The socket fell further behind than its outbox may hold."""


class Outbox:
    def __init__(self, max_bytes: int, merge_after: int, merge_after_messages: int = 1000) -> None:
        self.max_bytes = max_bytes
        self.merge_after = merge_after
        self.merge_after_messages = merge_after_messages
        self._entries: deque[Entry] = deque()
        self._tail: dict[str, Entry] = {}  # per model: its last entry still queued
        self._nbytes = 0  # queued plus taken but not yet written
        self._count = 0  # messages likewise
        self._lock = threading.Lock()
        self.merged = 0  # state changes folded into an earlier one (a sign of a slow reader)

    @property
    def nbytes(self) -> int:
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, model: str | None, message: Outgoing, change: StateChange | None = None) -> bool:
        """Queue a message; return whether the outbox was empty (the writer must be woken).

        Raises :class:`Overflow` (and queues nothing) when the socket is too far behind.
        """
        with self._lock:
            tail = self._tail.get(model) if model is not None else None
            if (change is not None and tail is not None and tail.change is not None
                    and (self._nbytes > self.merge_after or self._count > self.merge_after_messages)):
                merged = tail.change.then(change)
                self._nbytes += merged.message.nbytes - tail.message.nbytes
                tail.change, tail.message = merged, merged.message
                self.merged += 1
                return False
            if self._nbytes and self._nbytes + message.nbytes > self.max_bytes:
                raise Overflow(f"client fell more than {self.max_bytes} bytes of messages behind")
            entry = Entry(model, message, change)
            self._entries.append(entry)
            self._nbytes += message.nbytes
            self._count += 1
            if model is not None:
                self._tail[model] = entry
            return len(self._entries) == 1

    def take(self) -> list[Entry]:
        """Everything queued, in order. Its bytes stay counted until :meth:`written`."""
        with self._lock:
            entries = list(self._entries)
            self._entries.clear()
            self._tail.clear()
            return entries

    def take_opens(self, model_ids: set[str]) -> list[Entry]:
        """Pull the queued ``open`` messages of ``model_ids`` out, to be written first (a
        parent's update must not reach a browser before the children it references)."""
        with self._lock:
            opens = [e for e in self._entries if e.model in model_ids and e.message.kind == "open"]
            for entry in opens:
                self._entries.remove(entry)
                if self._tail.get(entry.model or "") is entry:
                    del self._tail[entry.model or ""]
            return opens

    def written(self, *entries: Entry) -> None:
        """These entries are on the wire. The writer reports a whole batch at once: a lock
        taken per message would make it contend with the threads queueing (each contended
        acquire can cost a GIL switch interval)."""
        done = sum(entry.message.nbytes for entry in entries)
        with self._lock:  # (after a clear(), a batch still being written counts for nothing)
            self._nbytes = max(0, self._nbytes - done)
            self._count = max(0, self._count - len(entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._tail.clear()
            self._nbytes = self._count = 0
