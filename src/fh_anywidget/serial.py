"""Where browser messages run: worker threads, one model's messages in order, sessions in turn.

Widget code (observers, ``on_msg`` handlers) never runs on the event loop. Each model has a
:class:`SerialQueue`: its messages are applied in arrival order, one at a time, so a slow
observer stalls only its own model. Models are served by one pool of worker threads, and fairly:
each message belongs to a *lane* (the session that sent it); a lane runs at most ``per_lane``
messages at once and ready lanes take turns, so one session that floods slow or heavy writes
holds at most ``per_lane`` of the workers while everybody else's messages go on.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

log = logging.getLogger("fh_anywidget")

Job = Callable[[], None]


class SerialQueue:
    """One model's browser messages, waiting their turn (state kept by the :class:`Scheduler`)."""

    __slots__ = ("jobs", "scheduled")

    def __init__(self) -> None:
        self.jobs: deque[tuple[Hashable, Job]] = deque()
        self.scheduled = False  # waiting in a lane, or running

    def __len__(self) -> int:
        return len(self.jobs)


class Scheduler:
    def __init__(self, workers: int = 32, per_lane: int = 4) -> None:
        self.workers = workers
        self.per_lane = per_lane
        self._lanes: OrderedDict[Hashable, deque[SerialQueue]] = OrderedDict()
        self._running: dict[Hashable, int] = {}
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []

    def submit(self, queue: SerialQueue, lane: Hashable, job: Job) -> None:
        """Run ``job`` after the queue's earlier jobs, on a worker, when ``lane`` has a turn."""
        with self._cond:
            queue.jobs.append((lane, job))
            if not queue.scheduled:
                queue.scheduled = True
                self._ready(queue)
            if len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, daemon=True,
                                          name=f"fh-anywidget-{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
            self._cond.notify()

    def _ready(self, queue: SerialQueue) -> None:
        lane = queue.jobs[0][0]
        self._lanes.setdefault(lane, deque()).append(queue)

    def _next(self) -> tuple[Hashable, SerialQueue] | None:
        """The first lane in turn with a ready queue and a free slot (it goes to the back)."""
        for lane, queues in self._lanes.items():
            if self._running.get(lane, 0) < self.per_lane:
                queue = queues.popleft()
                if queues:
                    self._lanes.move_to_end(lane)
                else:
                    del self._lanes[lane]
                return lane, queue
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                picked = self._next()
                while picked is None:
                    self._cond.wait()
                    picked = self._next()
                lane, queue = picked
                _, job = queue.jobs.popleft()
                self._running[lane] = self._running.get(lane, 0) + 1
            try:
                job()
            except Exception:  # a job reports its own errors; this is the last line of defence
                log.exception("unhandled error while applying a browser message")
            del job  # an idle worker must not keep its last message's model (and widget) alive
            with self._cond:
                left = self._running[lane] - 1
                if left:
                    self._running[lane] = left
                else:
                    del self._running[lane]
                if queue.jobs:
                    self._ready(queue)  # the model's next message, in its own sender's lane
                else:
                    queue.scheduled = False
                self._cond.notify()


_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def shared_scheduler() -> Scheduler:
    global _scheduler
    with _scheduler_lock:
        if _scheduler is None:
            _scheduler = Scheduler()
        return _scheduler
