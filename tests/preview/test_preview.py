"""`fh-anywidget preview FILE.py:Name`, end to end: a real process, a real browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_until

ROOT = Path(__file__).parents[2]

WIDGET_PY = '''
import pathlib
import anywidget
import traitlets

class Knob(anywidget.AnyWidget):
    _esm = pathlib.Path(__file__).parent / "knob.js"
    value = traitlets.Int(3).tag(sync=True)
    label = traitlets.Unicode("knob").tag(sync=True)
    on = traitlets.Bool(True).tag(sync=True)
    points = traitlets.List([1, 2]).tag(sync=True)

    @traitlets.validate("value")
    def _at_most_100(self, proposal):
        if proposal["value"] > 100:
            raise traitlets.TraitError("too big")
        return proposal["value"]
'''

KNOB_JS = '''export default { render({ model, el }) {
  const b = document.createElement("button");
  b.className = "knob";
  const paint = () => { b.textContent = `%s ${model.get("label")} ${model.get("value")}`; };
  paint();
  model.on("change", paint);
  b.onclick = () => { model.set("value", model.get("value") + 1); model.save_changes(); };
  el.append(b);
} };
'''


class Preview:
    def __init__(self, directory: Path, target: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fh_anywidget", "preview", target, "--port", str(port),
             "--no-browser"], cwd=directory, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        wait_until(lambda: any(self.url in line for line in self.output)
                   or self.process.poll() is not None, what="the preview's URL")
        assert self.process.poll() is None, "".join(self.output)
        wait_until(self._listening, what="the preview server")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def _listening(self) -> bool:
        port = int(self.url.rsplit(":", 1)[1])
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def preview(tmp_path) -> Iterator[Preview]:
    (tmp_path / "knob.py").write_text(textwrap.dedent(WIDGET_PY))
    (tmp_path / "knob.js").write_text(KNOB_JS % "v1")
    running = Preview(tmp_path, "knob.py:Knob")
    yield running
    running.stop()


def test_preview_prints_its_url_and_shows_the_widget_with_its_traits(preview, page):
    assert any(f"preview of Knob on {preview.url}" in line for line in preview.output)
    page.goto(preview.url)
    expect(page).to_have_title("preview · Knob")
    expect(page.locator("button.knob")).to_have_text("v1 knob 3")
    expect(page.locator("input[data-trait=value]")).to_have_value("3")
    expect(page.locator("input[data-trait=label]")).to_have_value("knob")
    expect(page.locator("input[data-trait=on]")).to_be_checked()
    expect(page.locator("code[data-trait=points]")).to_have_text("[1,2]")  # shown, not edited
    assert not page.console_errors


def test_panel_edits_reach_the_widget_and_widget_changes_reach_the_panel(preview, page):
    page.goto(preview.url)
    value = page.locator("input[data-trait=value]")
    value.fill("42")
    value.press("Tab")  # commits the edit ("change")
    expect(page.locator("button.knob")).to_have_text("v1 knob 42")
    label = page.locator("input[data-trait=label]")
    label.fill("dial")
    label.press("Tab")
    expect(page.locator("button.knob")).to_have_text("v1 dial 42")
    page.locator("button.knob").click()
    expect(value).to_have_value("43")
    value.fill("1000")  # the widget's validator refuses it: the panel snaps back
    value.press("Tab")
    expect(value).to_have_value("43")
    assert not page.console_errors
    assert not [line for line in preview.output if "refused" in line or "Traceback" in line]


def test_an_esm_edit_reloads_the_view_and_keeps_its_state(preview, page, tmp_path):
    page.goto(preview.url)
    page.locator("button.knob").click()
    expect(page.locator("button.knob")).to_have_text("v1 knob 4")
    (tmp_path / "knob.js").write_text(KNOB_JS % "v2")
    expect(page.locator("button.knob")).to_have_text("v2 knob 4")
    assert not page.console_errors


def test_a_target_that_is_not_a_widget_is_refused_with_a_reason(tmp_path):
    (tmp_path / "nothing.py").write_text("x = 1\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    result = subprocess.run([sys.executable, "-m", "fh_anywidget", "preview", "nothing.py:x",
                             "--no-browser"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "nothing.py:x is not a widget" in result.stderr
