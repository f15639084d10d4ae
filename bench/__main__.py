"""Run the benchmark suite: ``python -m bench [--only P1,P3] [--quick]``.

Starts the server under test (``bench.server``) in its own process, runs each scenario in a
plain headless Chromium with no driver attached (the page times itself and posts its numbers to
a loopback collector here), runs P4's protocol-level clients in a process of their own, prints
a table and writes it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .report import render, write_docs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
    "--mute-audio", "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Collector:
    """Loopback HTTP endpoint the benchmark pages post their own measurements to."""

    def __init__(self) -> None:
        self.results: queue.Queue[dict] = queue.Queue()
        results = self.results

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                results.put(json.loads(body))
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/result"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.server", str(self.port)],
                                     cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/bench/static/small.js", timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the bench server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def run_page(collector: Collector, url: str, timeout: float) -> list[dict]:
    """Open ``url`` in a fresh headless Chromium and gather what it posts until it is done."""
    with tempfile.TemporaryDirectory(prefix="fh-bench-", ignore_cleanup_errors=True) as profile:
        # Its own session, so the browser's helper processes can be ended with it by its id.
        proc = subprocess.Popen([CHROMIUM, *CHROMIUM_ARGS, f"--user-data-dir={profile}", url],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        got: list[dict] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    item = collector.results.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    raise RuntimeError(f"no result from {url} within {timeout} s") from None
                if item.get("error"):
                    raise RuntimeError(f"{url} failed: {item['error']}")
                if item.get("done"):
                    return got
                got.append(item)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def page_url(server: Server, collector: Collector, path: str, **query: Any) -> str:
    from urllib.parse import urlencode

    return f"{server.url}{path}?{urlencode({'collector': collector.url, **query})}"


def scenario_browser(server: Server, collector: Collector, name: str, quick: bool) -> list[dict]:
    query: dict[str, Any] = {"scenario": name}
    if quick:
        query |= {"P1": {"sizes": "1,8,32"}, "P2": {"sizes": "1,8"},
                  "P3": {"iterations": 100}}.get(name, {})
    return run_page(collector, page_url(server, collector, "/bench/host", **query), 600)


def scenario_storm(server: Server, collector: Collector) -> dict:
    """P5, with the server's memory sampled while the storm runs."""
    base = rss(server.proc.pid)
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], rss(server.proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        results = run_page(collector, page_url(server, collector, "/bench/host", scenario="P5"),
                           300)
    finally:
        stop.set()
        sampler.join()
    with urllib.request.urlopen(f"{server.url}/bench/p5/plain?n=100000") as r:
        plain = json.loads(r.read())["ms"]
    return {"results": results[0]["results"], "plain_ms": plain,
            "peak_rss_delta": peak[0] - base}


def scenario_fanout(server: Server, connections: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.fanout", server.url, str(connections), str(server.proc.pid)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=True)
    return json.loads(out.stdout)


def scenario_first_render(server: Server, collector: Collector, navigations: int) -> list[dict]:
    url = page_url(server, collector, "/bench/p6/host", i=0, n=navigations)
    return run_page(collector, url, 300)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="P1,P2,P3,P4,P5,P6",
                        help="comma-separated scenarios (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and counts, for trying the suite out")
    parser.add_argument("--connections", type=int, default=1000, help="P4 connections")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--report-only", action="store_true",
                        help="render the table again from the last run's .cache/bench-last.json")
    args = parser.parse_args()
    last = ROOT / ".cache" / "bench-last.json"
    if args.report_only:
        text = render(json.loads(last.read_text()))
        print(text)
        if not args.no_docs:
            write_docs(ROOT / "docs" / "benchmarks.md", text)
        return
    wanted = [s.strip().upper() for s in args.only.split(",") if s.strip()]

    collector = Collector()
    server = Server()
    data: dict[str, Any] = {
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}",
    }
    try:
        for name in wanted:
            print(f"bench: running {name} ...", file=sys.stderr, flush=True)
            if name in ("P1", "P2", "P3"):
                data[name] = scenario_browser(server, collector, name, args.quick)
            elif name == "P4":
                data[name] = scenario_fanout(server, 100 if args.quick else args.connections)
            elif name == "P5":
                data[name] = scenario_storm(server, collector)
            elif name == "P6":
                data[name] = scenario_first_render(server, collector, 12 if args.quick else 42)
            last.parent.mkdir(exist_ok=True)
            last.write_text(json.dumps(data))  # a later failure keeps what was measured
    finally:
        server.stop()
    text = render(data)
    print(text)
    if not args.no_docs:
        write_docs(ROOT / "docs" / "benchmarks.md", text)
        print("bench: wrote docs/benchmarks.md", file=sys.stderr)


if __name__ == "__main__":
    main()
