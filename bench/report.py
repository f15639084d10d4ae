"""Turn the measurements into the results table (Markdown, printed and put in the docs)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:begin (written by `python -m bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"
MiB = 1024 * 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def med(values: list[float]) -> float:
    return statistics.median(values)


def split(results: list[dict]) -> tuple[list[float], list[float]]:
    return ([r["ms"] for r in results if r["kind"] == "host"],
            [r["ms"] for r in results if r["kind"] == "raw"])


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(data: dict[str, Any]) -> str:
    rows: list[str] = []
    add = rows.append
    add("| scenario | fh-anywidget | raw baseline | ratio | target |")
    add("|---|---|---|---|---|")
    for name, label in (("P1", "pull Python→browser"), ("P2", "push browser→Python")):
        for item in data.get(name, []):
            host, raw = split(item["results"])
            h, r = med(host), med(raw)
            size = item["size"]
            ratio = r / h  # throughput relative to raw
            # issue 14's targets: ≥0.9x at 1-32 MiB; pulls of 32 MiB and up stay ≥1x
            floor = 1.0 if name == "P1" and size >= 32 else 0.9
            target = f"≥{floor}x raw: {verdict(ratio >= floor)}"
            add(f"| {name} {label} {size} MiB | {h:.0f} ms ({size * MiB / h / 1e3:.0f} MB/s) "
                f"| {r:.0f} ms ({size * MiB / r / 1e3:.0f} MB/s) | {ratio:.2f}x throughput "
                f"| {target} |")
    if "P3" in data:
        host, raw = split(data["P3"][0]["results"])
        ratio = med(host) / med(raw)
        add(f"| P3 round trip p50 / p99 ({len(host)} iterations) | {med(host):.2f} / "
            f"{pct(host, 0.99):.2f} ms | {med(raw):.2f} / {pct(raw, 0.99):.2f} ms (echo) "
            f"| {ratio:.1f}x p50 | ≤1.5x raw: {verdict(ratio <= 1.5)} |")
    if "P4" in data:
        p4 = data["P4"]
        h, r = p4["latencies_ms"]["host"], p4["latencies_ms"]["raw"]
        add(f"| P4 fan-out to {p4['connections']} connections, p50 / p99 | {med(h):.0f} / "
            f"{pct(h, 0.99):.0f} ms | {med(r):.0f} / {pct(r, 0.99):.0f} ms "
            f"| {pct(h, 0.99) / max(pct(r, 0.99), 1e-9):.1f}x p99 "
            f"| ≤1.1x raw p99: {verdict(pct(h, 0.99) <= 1.1 * pct(r, 0.99))} |")
        reach_h, reach_r = p4["all_reached_ms"]["host"], p4["all_reached_ms"]["raw"]
        add(f"| P4 until all {p4['connections']} have it (median of {len(reach_h)} changes) "
            f"| {med(reach_h):.0f} ms | {med(reach_r):.0f} ms "
            f"| {med(reach_h) / med(reach_r):.1f}x | |")
        if "gc" in p4:
            gc = p4["gc"]
            add(f"| P4 server time in Python's garbage collector during the {2 * len(reach_h)} "
                f"changes (host and raw together) | {gc['seconds'] * 1000:.0f} ms, "
                f"{gc['collections'][2]} full collections of ~{gc['objects'] // 1000}k objects "
                f"| | | |")
        per = p4["host_bytes_per_connection"] / 1024
        add(f"| P4 server memory per connection | {per:.0f} KiB "
            f"(page + socket) | {p4['raw_bytes_per_connection'] / 1024:.0f} KiB | "
            f"| ≤16 KiB: {verdict(per <= 16)} |")
    if "P5" in data:
        p5 = data["P5"]
        runs = p5["results"]
        add(f"| P5 100,000 sets: Python loop | {med([x['loop_ms'] for x in runs]):.0f} ms "
            f"| {p5['plain_ms']:.0f} ms (same loop, plain traitlets, no host) "
            f"| {med([x['loop_ms'] for x in runs]) / p5['plain_ms']:.1f}x "
            f"| ≤3x: {verdict(med([x['loop_ms'] for x in runs]) / p5['plain_ms'] <= 3)} |")
        add(f"| P5 until the browser shows the final value | {med([x['ms'] for x in runs]):.0f} ms "
            f"({med([x['events'] for x in runs]):.0f} updates reached it) | | | |")
        add(f"| P5 peak server memory growth during the storm | "
            f"{p5['peak_rss_delta'] / MiB:.1f} MiB | | | |")
    if "P6" in data:
        runs = [r for r in data["P6"] if r["i"] >= 2]  # the first of each kind is a cold cache
        host = [r["ms"] for r in runs if r["kind"] == "host"]
        static = [r["ms"] for r in runs if r["kind"] == "static"]
        ratio = med(host) / med(static)
        add(f"| P6 first render after navigation ({len(host)} each) | {med(host):.0f} ms "
            f"| {med(static):.0f} ms (static page importing the ESM) | {ratio:.2f}x "
            f"| ≤1.2x: {verdict(ratio <= 1.2)} |")
        for kind in ("host", "static"):
            phases = [r["phases"] for r in runs if r["kind"] == kind and "phases" in r]
            if phases:
                parts = ", ".join(f"{k} {med([p[k] for p in phases]):.0f}"
                                  for k in ("html", "modules", "dom", "code"))
                add(f"| P6 {kind} timeline (ms after navigation start) | {parts} | | | |")
    head = (f"Run {data['started']} on {data['machine']}"
            f"{' (--quick)' if data.get('quick') else ''}. Medians unless noted.\n\n")
    return head + "\n".join(rows) + "\n"


def write_docs(path: Path, table: str) -> None:
    block = f"{BEGIN}\n{table}{END}"
    if path.exists() and BEGIN in path.read_text():
        text = path.read_text()
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        path.write_text(before + block + after)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Benchmarks\n\n{block}\n")
