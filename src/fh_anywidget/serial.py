"""Per-model serial execution on a shared thread pool.

Browser messages for one model are applied in arrival order, one at a time, off the event loop;
different models run concurrently, so a slow observer stalls only its own model.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("fh_anywidget")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="fh-anywidget")
        return _pool


class SerialQueue:
    """Runs submitted callables one after another, in order, on the shared pool."""

    def __init__(self) -> None:
        self._jobs: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._running = False

    def __len__(self) -> int:
        return len(self._jobs)

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.append(job)
            if self._running:
                return
            self._running = True
        shared_pool().submit(self._drain)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._running = False
                    return
                job = self._jobs.popleft()
            try:
                job()
            except Exception:  # a job reports its own errors; this is the last line of defence
                log.exception("unhandled error while applying a browser message")
