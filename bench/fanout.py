"""P4 clients: many protocol-level page connections (not browsers) in one asyncio process.

``python -m bench.fanout BASE_URL N SERVER_PID`` prints one JSON object: latencies from one
Python change to its arrival at every connection, for the host and for raw WebSockets, and the
server's memory per connection for each.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
import urllib.request
from collections import defaultdict

from websockets.asyncio.client import ClientConnection, connect

FIRES = 20


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

    def note(self, value: int) -> None:
        self.times[value].append(time.monotonic())
        self.changed.set()

    async def wait(self, value: int, count: int) -> list[float]:
        while len(self.times[value]) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 60)
        return self.times.pop(value)


def open_page(base: str) -> tuple[str, str]:
    """GET a page showing the shared widget: its socket URL, and the session cookie."""
    with urllib.request.urlopen(f"{base}/bench/p4/page") as response:
        html = response.read().decode()
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("set-cookie") or [])
    token = re.search(r'page="([^"]+)"', html)
    socket = re.search(r'socket="([^"]+)"', html)
    assert token and socket, "the page holds no widget element"
    return f"{socket.group(1)}?page={token.group(1)}", cookie


async def host_client(ws_base: str, page: tuple[str, str], arrivals: Arrivals,
                      ready: asyncio.Event) -> ClientConnection:
    path, cookie = page
    ws = await connect(f"{ws_base}{path}", additional_headers={"Cookie": cookie},
                       compression=None, max_size=None, ping_interval=None)

    async def read() -> None:
        async for frame in ws:
            if not isinstance(frame, str):
                continue
            header = json.loads(frame)
            if header["type"] == "attached":
                ready.set()
            elif header["type"] == "update" and "value" in header.get("state", {}):
                arrivals.note(header["state"]["value"])

    asyncio.get_running_loop().create_task(read())
    await asyncio.wait_for(ready.wait(), 60)
    return ws


async def raw_client(ws_base: str, arrivals: Arrivals) -> ClientConnection:
    ws = await connect(f"{ws_base}/raw/fanout", compression=None, ping_interval=None)

    async def read() -> None:
        async for frame in ws:
            arrivals.note(json.loads(frame)["value"])

    asyncio.get_running_loop().create_task(read())
    return ws


def post(url: str) -> float:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as response:
        return json.loads(response.read())["t0"]


async def main(base: str, n: int, pid: int) -> dict:
    ws_base = base.replace("http://", "ws://")
    loop = asyncio.get_running_loop()
    out: dict = {"connections": n}
    sockets: list[ClientConnection] = []

    before = rss(pid)
    raw_arrivals = Arrivals()
    for start in range(0, n, 100):
        sockets += await asyncio.gather(*(raw_client(ws_base, raw_arrivals)
                                          for _ in range(start, min(n, start + 100))))
    await asyncio.sleep(0.5)  # let the server settle before reading its memory
    out["raw_bytes_per_connection"] = (rss(pid) - before) / n

    before = rss(pid)
    host_arrivals = Arrivals()
    pages = [await loop.run_in_executor(None, open_page, base) for _ in range(n)]
    for start in range(0, n, 100):
        sockets += await asyncio.gather(*(
            host_client(ws_base, page, host_arrivals, asyncio.Event())
            for page in pages[start:start + 100]))
    await asyncio.sleep(0.5)
    out["host_bytes_per_connection"] = (rss(pid) - before) / n

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
    out["latencies_ms"] = lat
    out["all_reached_ms"] = everyone
    for ws in sockets:
        await ws.close()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
