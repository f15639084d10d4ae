"""Convergence by construction, explored: thousands of seeded schedules interleave Python sets
(some from other threads in the middle of a write), writes and custom messages from several
clients, refusals, socket drops and reconnects; once things are quiet, every client shows what
Python holds, nothing a client sent was lost or applied twice.

The server side is the real one (models, dispatch, grants, outbox, delivery state), run step by
step instead of by sockets and worker threads, so the schedule — not the machine's timing —
decides the order of events. The clients are the real browser runtime (connection.js,
registry.js, model.js) running in Node (tests/js/clients.mjs). ``FH_SCHEDULES=20000`` explores
more than the suite's default.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ipywidgets
import pytest
import traitlets

from fh_anywidget import bridge
from fh_anywidget.budget import InboundBudget
from fh_anywidget.connection import Connection, ConnectionLimits, Shared
from fh_anywidget.framing import InboundMessage
from fh_anywidget.models import registry
from fh_anywidget.pages import PageTable
from fh_anywidget.serial import SerialQueue
from fh_anywidget.wire import PROTOCOL_VERSION, simple_message

SCHEDULES = int(os.environ.get("FH_SCHEDULES", "1500"))
STEPS = 40
CLIENTS = Path(__file__).parents[1] / "js" / "clients.mjs"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


class Knob(ipywidgets.Widget):
    """A shared model with everything that makes convergence hard: a validator that refuses
    and coerces, an observer that rewrites the written key and one that writes another key,
    and another thread that sets the trait in the middle of a browser write."""

    _model_name = traitlets.Unicode("KnobModel").tag(sync=True)
    value = traitlets.Int(0).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.meanwhile: list[int] = []  # values another thread sets during the next write
        self.on_msg(lambda _w, content, _b: setattr(self, "total", self.total + content["add"]))

    @traitlets.validate("value")
    def _bounded(self, proposal):
        if proposal["value"] < 0:
            raise traitlets.TraitError("value must not be negative")
        return min(proposal["value"], 100)

    @traitlets.observe("value")
    def _react(self, change):
        if change["new"] == 42:
            self.value = 43
        elif change["new"] == 13:
            self.label = f"thirteen from {change['old']}"
        while self.meanwhile:
            other = threading.Thread(target=setattr, args=(self, "value", self.meanwhile.pop()))
            other.start()
            other.join(10)


class Runtimes:
    """The Node process holding the simulated browsers."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(["node", str(CLIENTS)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)

    def __call__(self, **command: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        reply = json.loads(self.process.stdout.readline())
        assert "error" not in reply, reply["error"]
        return reply

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


class SteppedScheduler:
    """The shared scheduler's contract (per-model order, one at a time), run by the schedule."""

    def __init__(self) -> None:
        self.ready: list[SerialQueue] = []

    def submit(self, queue: SerialQueue, lane: object, job: Any) -> None:
        queue.jobs.append((lane, job))
        if queue not in self.ready:
            self.ready.append(queue)

    def run_one(self, rng: random.Random) -> bool:
        if not self.ready:
            return False
        queue = rng.choice(self.ready)
        _, job = queue.jobs.popleft()
        if not queue.jobs:
            self.ready.remove(queue)
        job()
        return True


class FakeWebSocket:
    """Never used to send: the schedule moves frames itself (see Client)."""


class Client:
    """One simulated browser: its server-side socket state and the two directions of its pipe."""

    def __init__(self, name: str, token: str, world: World) -> None:
        self.name, self.token, self.world = name, token, world
        self.to_server: deque[dict[str, Any]] = deque()
        self.to_client: deque[Any] = deque()
        self.online = True
        self.sends = 0  # custom messages its runtime accepted
        self.delivery = world.table.clients.get(None, name)
        self.connection = self._connect()
        self._absorb(world.runtimes(op="new", client=name, token=token))

    def _connect(self) -> Connection:
        connection = Connection(FakeWebSocket(), self.world.shared, None, self.delivery)  # type: ignore[arg-type]
        self.delivery.connected(connection)
        connection.send(simple_message("hello", None, version=PROTOCOL_VERSION, max_message=1 << 20,
                                       max_payload=1 << 20))
        connection.dispatcher.attach(self.token)
        return connection

    def _absorb(self, reply: dict[str, Any]) -> None:
        if self.online:
            self.to_server.extend(reply["sent"])

    def run(self, **command: Any) -> dict[str, Any]:
        reply = self.world.runtimes(client=self.name, **command)
        self._absorb(reply)
        return reply

    # the steps
    def server_reads(self) -> bool:
        if not self.to_server:
            return False
        header = self.to_server.popleft()
        message = InboundMessage(header["type"], header, [])
        self.connection.dispatcher.handle(message, lambda: None)
        return True

    def server_writes(self) -> bool:
        entries = self.connection.outbox.take()
        for entry in entries:
            self.to_client.append(json.loads(entry.message.header))
            self.connection.outbox.written(entry)
        return bool(entries)

    def client_reads(self, rng: random.Random) -> bool:
        if not self.to_client:
            return False
        for _ in range(rng.randint(1, len(self.to_client))):
            self.run(op="deliver", header=self.to_client.popleft())
        return True

    def drop(self) -> None:
        self.run(op="drop")
        self.online = False
        self.to_server.clear()
        self.to_client.clear()
        self.connection._teardown()
        self.delivery.disconnected(self.connection)

    def reconnect(self) -> None:
        self.online = True
        self.connection = self._connect()
        self.run(op="reconnect")


class World:
    def __init__(self, runtimes: Runtimes, table: PageTable, seed: int) -> None:
        self.rng = random.Random(seed)
        self.runtimes = runtimes
        self.scheduler = SteppedScheduler()
        self.table = table
        self.shared = Shared(registry, self.table, ConnectionLimits(), self.scheduler,  # type: ignore[arg-type]
                             InboundBudget(1 << 30, 1 << 30))
        self.knob = Knob()
        self.clients = []
        for n in range(self.rng.randint(2, 3)):
            page = self.table.create(None)
            page.show(self.knob.model_id, self.knob)
            self.clients.append(Client(f"s{seed}c{n}", page.token, self))

    def step(self) -> None:
        rng, knob = self.rng, self.knob
        client = rng.choice(self.clients)
        roll = rng.random()
        if roll < 0.12:
            knob.value = rng.randint(0, 100)
        elif roll < 0.30 and client.online:
            value = rng.choice([rng.randint(-3, 120), 13, 42])
            if rng.random() < 0.3:
                knob.meanwhile.append(rng.randint(0, 100))  # another thread, during the write
            client.run(op="set", model=knob.model_id, key="value", value=value)
        elif roll < 0.36 and client.online:
            client.run(op="set", model=knob.model_id, key="label", value=f"l{rng.randint(0, 9)}")
        elif roll < 0.41 and client.online:
            if not client.run(op="send", model=knob.model_id, content={"add": 1}).get("skipped"):
                client.sends += 1
        elif roll < 0.43 and client.online:
            client.run(op="set", model=knob.model_id, key="_model_name", value="Hijack")  # refused
        elif roll < 0.58:
            client.server_reads()
        elif roll < 0.70:
            self.scheduler.run_one(rng)
        elif roll < 0.80:
            client.server_writes()
        elif roll < 0.93:
            client.client_reads(rng)
        elif roll < 0.97:
            if client.online:
                client.drop()
        elif not client.online:
            client.reconnect()

    def quiesce(self) -> None:
        for client in self.clients:
            if not client.online:
                client.reconnect()
        for _ in range(1000):
            moved = False
            for client in self.clients:
                while client.server_reads():
                    moved = True
            while self.scheduler.run_one(self.rng):
                moved = True
            for client in self.clients:
                moved = client.server_writes() or moved
                while client.to_client:
                    client.run(op="deliver", header=client.to_client.popleft())
                    moved = True
            if not moved:
                return
        raise AssertionError("the system never became quiet")

    def check(self, seed: int) -> None:
        knob = self.knob
        python = {k: v for k, v in knob.get_state().items() if k in ("value", "label", "total")}
        record = registry.get(knob.model_id)
        snapshot = {k: json.loads(record.slots[k].json) for k in python}
        assert snapshot == python, f"seed {seed}: snapshot {snapshot} != Python {python}"
        assert knob.total == sum(c.sends for c in self.clients), (
            f"seed {seed}: {knob.total} custom messages applied, {sum(c.sends for c in self.clients)} sent")
        for client in self.clients:
            shown = client.run(op="state")
            state = {k: shown["models"][knob.model_id][k] for k in python}
            assert state == python, f"seed {seed}: {client.name} shows {state}, Python holds {python}"
            assert shown["unacked"] == 0, f"seed {seed}: {client.name} still waits for acks"

    def close(self) -> None:
        for client in self.clients:
            client.connection._teardown()
            self.runtimes(op="forget", client=client.name)
        self.table.pages.clear()
        self.table.clients.clients.clear()
        self.knob.close()


def test_every_schedule_converges_with_nothing_lost_or_doubled():
    bridge.install()
    runtimes = Runtimes()
    table = PageTable(registry, grace=3600)

    async def explore() -> None:
        for seed in range(SCHEDULES):
            world = World(runtimes, table, seed)
            try:
                for _ in range(STEPS):
                    world.step()
                world.quiesce()
                world.check(seed)
            finally:
                world.close()

    try:
        # On a thread of its own: earlier browser tests leave Playwright's loop running on this one.
        with ThreadPoolExecutor(1) as worker:
            worker.submit(asyncio.run, explore()).result()
    finally:
        table.stop()
        runtimes.close()
