"""P4 clients: many protocol-level page connections (not browsers) in one asyncio process.

``python -m bench.fanout BASE_URL N SERVER_PID`` prints one JSON object: latencies from one
Python change to its arrival at every connection, for the host and for raw WebSockets, and the
server's memory per connection for each.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
import time
import urllib.request
from collections import defaultdict

FIRES = 30


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Arrivals:
    """When each value reached each connection (monotonic clock, shared by all processes)."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = defaultdict(list)
        self.changed = asyncio.Event()

    def note(self, value: int, when: float) -> None:
        self.times[value].append(when)
        self.changed.set()

    async def wait(self, value: int, count: int) -> list[float]:
        while len(self.times[value]) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 60)
        return self.times.pop(value)


VALUE = re.compile(rb'"value":(\d+)')


class Client(asyncio.Protocol):
    """A minimal WebSocket client that timestamps bytes as they arrive.

    A full client library would parse every frame in Python before the test saw it, and with a
    thousand connections in one process that parsing, not the server, would set the latency.
    Server frames are unmasked, so the value is visible in the raw stream.
    """

    def __init__(self, arrivals: Arrivals, ready_marker: bytes) -> None:
        self.arrivals = arrivals
        self.ready_marker = ready_marker
        self.ready = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.seen = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        when = time.monotonic()
        if not self.upgraded:
            self.seen += data
            if b"\r\n\r\n" not in self.seen:
                return
            self.upgraded = True
            data = self.seen.split(b"\r\n\r\n", 1)[1]
        if not self.ready.done():
            self.seen += data
            if self.ready_marker in self.seen:
                self.seen = b""
                self.ready.set_result(None)
            return
        for match in VALUE.finditer(data):
            self.arrivals.note(int(match.group(1)), when)


async def client(base: str, path: str, cookie: str, arrivals: Arrivals,
                 ready_marker: bytes) -> asyncio.Transport:
    host, port = base.removeprefix("http://").split(":")
    transport, protocol = await asyncio.get_running_loop().create_connection(
        lambda: Client(arrivals, ready_marker), host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                     f"Sec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n").encode())
    await asyncio.wait_for(protocol.ready, 60)
    return transport


def open_page(base: str) -> tuple[str, str]:
    """GET a page showing the shared widget: its socket path, and the session cookie."""
    with urllib.request.urlopen(f"{base}/bench/p4/page") as response:
        html = response.read().decode()
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("set-cookie") or [])
    token = re.search(r'page="([^"]+)"', html)
    socket = re.search(r'socket="([^"]+)"', html)
    assert token and socket, "the page holds no widget element"
    return f"{socket.group(1)}?page={token.group(1)}", cookie


def post(url: str) -> float:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as response:
        return json.loads(response.read())["t0"]


async def main(base: str, n: int, pid: int) -> dict:
    loop = asyncio.get_running_loop()
    out: dict = {"connections": n}
    sockets: list[asyncio.Transport] = []

    before = rss(pid)
    raw_arrivals = Arrivals()
    for start in range(0, n, 100):
        sockets += await asyncio.gather(*(client(base, "/raw/fanout", "", raw_arrivals, b"")
                                          for _ in range(start, min(n, start + 100))))
    await asyncio.sleep(0.5)  # let the server settle before reading its memory
    out["raw_bytes_per_connection"] = (rss(pid) - before) / n

    before = rss(pid)
    host_arrivals = Arrivals()
    pages = [await loop.run_in_executor(None, open_page, base) for _ in range(n)]
    for start in range(0, n, 100):
        sockets += await asyncio.gather(*(
            client(base, path, cookie, host_arrivals, b'"type":"attached"')
            for path, cookie in pages[start:start + 100]))
    await asyncio.sleep(0.5)
    out["host_bytes_per_connection"] = (rss(pid) - before) / n

    freeze = "?freeze=1" if os.environ.get("BENCH_GC_FREEZE") else ""
    gc_before = json.loads(urllib.request.urlopen(f"{base}/bench/gc{freeze}").read())
    lat: dict[str, list[float]] = {"host": [], "raw": []}
    everyone: dict[str, list[float]] = {"host": [], "raw": []}
    for i in range(1, FIRES + 1):
        order = [("host", "/bench/p4/fire", host_arrivals),
                 ("raw", "/raw/fanout/fire", raw_arrivals)]
        for kind, path, arrivals in order if i % 2 else order[::-1]:
            value = 1000 + i
            t0 = await loop.run_in_executor(None, post, f"{base}{path}?value={value}")
            times = await arrivals.wait(value, n)
            ms = [(t - t0) * 1000 for t in times]
            lat[kind] += ms
            everyone[kind].append(max(ms))
    gc_after = json.loads(urllib.request.urlopen(f"{base}/bench/gc").read())
    out["gc"] = {"seconds": gc_after["seconds"] - gc_before["seconds"],
                 "collections": [a - b for a, b in zip(gc_after["collections"],
                                                       gc_before["collections"], strict=True)],
                 "objects": gc_after["objects"]}
    out["latencies_ms"] = lat
    out["all_reached_ms"] = everyone
    for transport in sockets:
        transport.close()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
