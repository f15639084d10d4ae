"""The server under test: a FastHTML app with a WidgetHost, and beside it the raw baseline (bare
Starlette binary WebSockets doing the same jobs), served by one uvicorn process on 127.0.0.1.

Run by ``python -m bench``; standalone: ``python -m bench.server PORT``.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time

import uvicorn
from fasthtml.common import Div, Link, Script, Title, fast_app
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from fh_anywidget import WidgetHost

from .widgets import STATIC, Probe, Shared, Small, payloads, plain_loop_ms

IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}

app, rt = fast_app(default_hdrs=False, hdrs=[Link(rel="icon", href="data:,")])
host = WidgetHost(app)
shared = Shared()  # P4: created at module level, so every page shares it


# ---------------------------------------------------------------- host pages


@rt("/bench/host")
def bench_page():
    """P1/P2/P3/P5: a page with one probe; the driver runs the scenario given in the query."""
    return (Title("bench"), Div(Probe()), Script(src="/bench/static/driver.js", type="module"))


P6_HEAD = (STATIC / "p6.js").read_text()


@rt("/bench/p6/host")
def p6_host():
    return (Title("p6"), Script(P6_HEAD), Small())


async def p6_static(request: Request) -> Response:
    """The same widget code imported directly by a static page: no host, no socket."""
    return HTMLResponse(f"""<!doctype html><html><head><title>p6</title>
<link rel="icon" href="data:,"></head><body><script>{P6_HEAD}</script><div id="w"></div>
<script type="module">
import widget from "/bench/static/small.js";
const model = {{ get: (k) => ({{ n: 1 }})[k], set() {{}}, save_changes() {{}}, on() {{}},
                off() {{}}, send() {{}} }};
widget.render({{ model, el: document.getElementById("w") }});
</script></body></html>""")


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    path = STATIC / name
    if "/" in name or not path.is_file():
        return PlainTextResponse("not found", status_code=404)
    return Response(path.read_bytes(), media_type="text/javascript", headers=IMMUTABLE)


@rt("/bench/p4/page")
def p4_page():
    return (Title("p4"), shared)


async def p4_fire(request: Request) -> Response:
    value = int(request.query_params["value"])
    t0 = time.monotonic()
    shared.value = value
    return JSONResponse({"t0": t0})


class GcClock:
    """Time the server spends in the garbage collector (reported beside P4)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._start = 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections[info["generation"]] += 1


gc_clock = GcClock()


async def gc_stats(request: Request) -> Response:
    if request.query_params.get("freeze"):
        gc.freeze()  # what a server with many long-lived connections may do (see benchmarks.md)
    return JSONResponse({"seconds": gc_clock.seconds, "collections": gc_clock.collections,
                         "objects": len(gc.get_objects())})


async def p5_plain(request: Request) -> Response:
    return JSONResponse({"ms": plain_loop_ms(int(request.query_params["n"]))})


# ---------------------------------------------------------------- raw baseline


async def raw_socket(ws: WebSocket) -> None:
    """Bare binary WebSocket: `pull SIZE SEQ` → one binary message; binary in → its length;
    any other text is echoed."""
    await ws.accept()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                await ws.send_text(str(len(message["bytes"])))
            elif text.startswith("pull "):
                _, size, seq = text.split()
                await ws.send_bytes(payloads.get(int(size), int(seq)))
            else:
                await ws.send_text(text)
    except WebSocketDisconnect:
        return


raw_fans: set[WebSocket] = set()


async def raw_fanout(ws: WebSocket) -> None:
    await ws.accept()
    raw_fans.add(ws)
    try:
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
    finally:
        raw_fans.discard(ws)


async def raw_fire(request: Request) -> Response:
    text = f'{{"value":{int(request.query_params["value"])}}}'
    t0 = time.monotonic()
    for ws in list(raw_fans):
        asyncio.get_running_loop().create_task(ws.send_text(text))
    return JSONResponse({"t0": t0})


app.router.routes[0:0] = [
    Route("/bench/p6/static", p6_static),
    Route("/bench/static/{name}", static_file),
    Route("/bench/p4/fire", p4_fire, methods=["POST"]),
    Route("/bench/p5/plain", p5_plain),
    Route("/bench/gc", gc_stats),
    WebSocketRoute("/raw/ws", raw_socket),
    WebSocketRoute("/raw/fanout", raw_fanout),
    Route("/raw/fanout/fire", raw_fire, methods=["POST"]),
]


def main(port: int) -> None:
    # permessage-deflate off: uvicorn negotiates it by default and it costs 5-12x on binary
    # data that does not compress. ws_max_size only matters for the raw baseline, which
    # receives pushes as single messages; the host's browser runtime sends 4 MiB frames.
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning",
                ws_per_message_deflate=False, ws_max_size=512 * 1024 * 1024)


if __name__ == "__main__":
    main(int(sys.argv[1]))
