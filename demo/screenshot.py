"""Retake docs/demo.png: the demo's gallery in real headless Chromium (Debian's, as the tests use).

Run `bash scripts/screenshot.sh` (installs what it needs first). The server binds 127.0.0.1 on
a free port and the browser may not leave the machine, so the picture is what a user sees offline.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import uvicorn
from playwright.sync_api import sync_playwright

from demo.app import app

OUT = Path(__file__).parents[1] / "docs" / "demo.png"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]

# Every view drew something and every widget stylesheet applied.
READY = """() => [...document.querySelectorAll("fh-anywidget")].every(
    (el) => el.firstElementChild?.childElementCount > 0)
  && [...document.querySelectorAll("link[data-anywidget-class]")].every((l) => l.sheet && !l.media)"""


def serve() -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws_per_message_deflate=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        threading.Event().wait(0.05)
    return server, f"http://127.0.0.1:{port}"


def main(path: str = "/gallery") -> None:
    server, url = serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1400}, device_scale_factor=1)
            page.route("**/*", lambda r: r.continue_()
                       if (urlparse(r.request.url).hostname or "") in ("127.0.0.1", "localhost")
                       or r.request.url.startswith(("data:", "blob:")) else r.abort())
            page.goto(url + path)
            page.wait_for_function(READY, timeout=60_000)
            page.evaluate("document.fonts.ready")
            page.screenshot(path=OUT)
            browser.close()
    finally:
        server.should_exit = True
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
