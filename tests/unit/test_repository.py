"""The repository holds no secrets and ignores what builds leave behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def test_no_session_key_is_tracked():
    """FastHTML signs sessions with .sesskey: a committed one makes every deployment's key public."""
    tracked = _git("ls-files").splitlines()
    assert not [p for p in tracked if Path(p).name == ".sesskey"]


def test_gitignore_covers_build_output_and_the_session_key():
    for path in ("build/x", "dist/x.whl", ".sesskey", "demo/.sesskey"):
        # check-ignore exits 0 (and prints the path) only when the path is ignored
        result = subprocess.run(["git", "check-ignore", "--no-index", path], cwd=ROOT,
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{path} is not ignored"
