"""Log lines a browser can cause: sanitised, excerpted, and rate-limited.

A hostile client can make the server log (a widget's observer that raises on every write, error
reports sent on purpose). Every such line goes through a :class:`LogLimiter`: at most ``burst``
lines per key (an identity, a widget class) per ``window`` seconds and ``global_burst`` in all,
after which one line says how many were suppressed. Text that came from a browser never keeps
control characters, and its newlines only inside an indented, marked block, so it cannot forge
other log lines.
"""

from __future__ import annotations

import logging
import re
import threading
import time

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: object, limit: int = 500) -> str:
    """``text`` as a single printable line of at most ``limit`` characters (escaped, cut)."""
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value) - limit} more)"


def quoted_block(text: object, limit: int = 4000, lines: int = 40) -> str:
    """Multi-line text from a browser (a stack trace) as indented lines that each start with
    ``    | ``, so no line of it can pass for a log line of its own."""
    kept = str(text)[:limit].splitlines()[:lines]
    return "\n".join(f"    | {one_line(line, 300)}" for line in kept)


def excerpt(value: object, limit: int = 80) -> str:
    """A short, escaped excerpt of a value from a browser, for error texts and log lines."""
    try:
        text = repr(value) if not isinstance(value, str) else value
    except Exception:
        text = f"<{type(value).__name__}>"
    return one_line(text, limit)


class LogLimiter:
    """Lets through at most ``burst`` lines per key and ``global_burst`` lines in all per window."""

    def __init__(self, burst: int = 20, global_burst: int = 200, window: float = 60.0) -> None:
        self.burst = burst
        self.global_burst = global_burst
        self.window = window
        self._counts: dict[object, int] = {}
        self._total = 0
        self._dropped = 0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def allow(self, key: object, logger: logging.Logger) -> bool:
        """Whether a line for ``key`` may be written now (writes the suppression notice itself)."""
        with self._lock:
            now = time.monotonic()
            if now - self._started >= self.window:
                if self._dropped:
                    logger.warning("suppressed %d similar log lines in the last %.0f s",
                                   self._dropped, now - self._started)
                self._counts.clear()
                self._total = self._dropped = 0
                self._started = now
            count = self._counts.get(key, 0)
            if count >= self.burst or self._total >= self.global_burst:
                self._dropped += 1
                return False
            if len(self._counts) < 10_000:  # the table itself stays bounded
                self._counts[key] = count + 1
            self._total += 1
            return True
