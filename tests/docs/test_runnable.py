"""Every Python block README.md and docs/*.md mark with ``<!-- runnable -->`` is a whole app that
works as written: saved as main.py and served by uvicorn, its widgets render in Chromium and
are live — a click in the browser makes Python do something (the block prints on a change).

A marked block is run as ``uvicorn main:app`` on 127.0.0.1 (a free port, no reload): the same
module ``python main.py`` runs, where FastHTML's ``serve()`` at the bottom starts the server.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import LOOPBACK, wait_until

ROOT = Path(__file__).parents[2]
MARKED = re.compile(r"<!-- runnable -->\s*\n```python\n(.*?)\n```", re.DOTALL)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

RENDERED = """() => {
  const views = [...document.querySelectorAll("fh-anywidget")];
  return views.length > 0 && views.every(
    (el) => el.querySelector(".fh-anywidget-error") || el.firstElementChild?.childElementCount > 0);
}"""


def runnable_blocks() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        for i, match in enumerate(MARKED.finditer(path.read_text())):
            found.append((f"{path.relative_to(ROOT)}#{i + 1}", match.group(1)))
    return found


BLOCKS = runnable_blocks()


def test_the_readme_starts_with_a_complete_app():
    """The first example is a whole file: its widget defined inline and serve() at the bottom,
    without permessage-deflate (uvicorn's default costs binary widget data 5-15x)."""
    name, code = BLOCKS[0]
    assert name == "README.md#1"
    assert "class Counter(anywidget.AnyWidget)" in code and "_esm" in code
    assert code.rstrip().splitlines()[-1].startswith("serve(ws_per_message_deflate=False)")


class App:
    """``uvicorn main:app`` for one block, in its own directory, output collected."""

    def __init__(self, directory: Path, code: str) -> None:
        (directory / "main.py").write_text(code + "\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "main:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--ws-per-message-deflate", "false",
             "--log-level", "warning", "--no-access-log"],  # the output is the app's own
            cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: self._listening() or self.process.poll() is not None, timeout=30,
                   what="the app to listen")
        assert self.process.poll() is None, "the app exited:\n" + "".join(self.output)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def offline_page(browser) -> Iterator:
    """A page that cannot leave the machine. Unlike ``page`` it tolerates the attempt: a block
    written for newcomers uses ``fast_app()``, whose default headers load from a CDN."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_()
                  if r.request.url.startswith(("data:", "blob:"))
                  or (urlparse(r.request.url).hostname or "") in LOOPBACK else r.abort())
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_marked_block_runs_and_its_widget_is_live(name, code, tmp_path, offline_page):
    app = App(tmp_path, code)
    try:
        page = offline_page
        page.goto(app.url)
        page.wait_for_function(RENDERED)
        expect(page.locator(".fh-anywidget-error")).to_have_count(0)
        button = page.locator("fh-anywidget button").first
        before, printed = button.inner_text(), len(app.output)
        button.click()
        expect(button).not_to_have_text(before)  # the view changed, and Python saw it:
        wait_until(lambda: len(app.output) > printed, what="Python to react to the click")
        assert not [line for line in app.output if "Traceback" in line], "".join(app.output)
        # the only console errors allowed are the CDN requests this page may not make
        problems = [e for e in page.console_errors if "net::ERR_FAILED" not in e]
        assert not problems, problems
    finally:
        app.stop()
