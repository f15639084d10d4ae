"""ipywidgets' ``Output`` without a kernel.

In Jupyter, ``with out:`` works because the kernel tags what the cell prints with the cell's
message id and the front end routes it into the Output. Here there is no kernel, so the Output
captures directly: while a thread (or asyncio task) is inside ``with out:``, what it writes to
``sys.stdout``/``sys.stderr``, what it ``display()``s and an exception leaving the block become
entries of ``out.outputs`` — the trait the browser's Output view renders. Other threads keep
writing to the real streams, so nothing captured reaches the server's stdout and nothing else
is captured.

IPython's ``display`` and ``clear_output`` without a shell fall back to ``print`` (looked up in
their module's globals): :func:`install` gives that module a ``print`` that hands the objects to
the capturing Output, and prints as before everywhere else.
"""

from __future__ import annotations

import builtins
import contextvars
import logging
import sys
import threading
import traceback
from typing import Any, TextIO

log = logging.getLogger("fh_anywidget.output")

#: the Outputs the current thread/task is inside, innermost last
_capturing: contextvars.ContextVar[tuple[Any, ...]] = contextvars.ContextVar(
    "fh_anywidget_output", default=())
_lock = threading.Lock()  # appending is read-modify-write of a tuple trait
_installed = False
_CLEAR = "\033[2K\r"  # what IPython's clear_output prints without a shell
_formatter: Any = None


def current() -> Any | None:
    """The Output capturing this thread's output, if any."""
    stack = _capturing.get()
    return stack[-1] if stack else None


def _append(out: Any, entry: dict[str, Any]) -> None:
    with _lock:
        outputs = () if getattr(out, "_fh_clear_pending", False) else tuple(out.outputs)
        out._fh_clear_pending = False
        last = outputs[-1] if outputs else None
        if (entry["output_type"] == "stream" and last is not None
                and last.get("output_type") == "stream" and last.get("name") == entry["name"]):
            # one entry per run of text, as a notebook shows it (print writes text, then "\n")
            outputs = (*outputs[:-1], {**last, "text": last["text"] + entry["text"]})
        else:
            outputs = (*outputs, entry)
        out.outputs = outputs


def _clear(out: Any, wait: bool) -> None:
    with _lock:
        if wait:
            out._fh_clear_pending = True  # cleared when the next output arrives
        else:
            out._fh_clear_pending = False
            out.outputs = ()


class _Stream:
    """``sys.stdout``/``sys.stderr``: into the capturing Output, else to the real stream."""

    def __init__(self, real: TextIO, name: str) -> None:
        self.real = real
        self.name = name

    def write(self, text: str) -> int:
        out = current()
        if out is None:
            return self.real.write(text)
        if text:
            _append(out, {"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        if current() is None:
            self.real.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno… of the real stream
        return getattr(self.real, name)


def _redirect_streams() -> None:
    """Wrap the current streams (again, if something replaced them since)."""
    if not isinstance(sys.stdout, _Stream):
        sys.stdout = _Stream(sys.stdout, "stdout")
    if not isinstance(sys.stderr, _Stream):
        sys.stderr = _Stream(sys.stderr, "stderr")


def _format(obj: Any) -> dict[str, Any]:
    global _formatter
    if _formatter is None:
        from IPython.core.formatters import DisplayFormatter

        _formatter = DisplayFormatter()
    data, metadata = _formatter.format(obj)
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _display_print(*objs: Any, **kwargs: Any) -> None:
    """IPython's display/clear_output fallback, routed to the capturing Output."""
    out = current()
    if out is None:
        if objs and all(_is_widget(obj) for obj in objs):
            # a widget displayed outside any Output (what `interact` does): there is no cell to
            # show it in, and its repr on the server's stdout would be noise; the page shows it
            log.debug("display() of a widget outside an Output: not printed")
            return
        builtins.print(*objs, **kwargs)
    elif objs == (_CLEAR,):
        _clear(out, wait=True)  # IPython's fallback does not say whether it was wait=True
    else:
        for obj in objs:
            _append(out, _format(obj))


def _is_widget(obj: Any) -> bool:
    import ipywidgets

    return isinstance(obj, ipywidgets.Widget)


def _enter(self: Any) -> Any:
    _redirect_streams()
    self._fh_tokens = [*getattr(self, "_fh_tokens", []), _capturing.set((*_capturing.get(), self))]
    return self


def _exit(self: Any, etype: Any, evalue: Any, tb: Any) -> bool | None:
    if etype is not None:
        lines = traceback.format_exception(etype, evalue, tb)
        _append(self, {"output_type": "error", "ename": etype.__name__, "evalue": str(evalue),
                       "traceback": [line.rstrip("\n") for line in lines]})
        log.debug("exception shown in Output %s", getattr(self, "model_id", "?"),
                  exc_info=(etype, evalue, tb))
    tokens = getattr(self, "_fh_tokens", [])
    if tokens:
        try:
            _capturing.reset(tokens.pop())
        except ValueError:  # left in another context than it was entered: just drop it
            _capturing.set(tuple(o for o in _capturing.get() if o is not self))
    # shown in the Output, as Jupyter shows it in the cell: not raised further
    return True if etype is not None and issubclass(etype, Exception) else None


def _clear_output(self: Any, wait: bool = False) -> None:
    _clear(self, wait)


def _append_display_data(self: Any, display_object: Any) -> None:
    _append(self, _format(display_object))


def install() -> None:
    """Make every ``ipywidgets.Output`` capture without a kernel (idempotent)."""
    global _installed
    if _installed:
        return
    import IPython.core.display_functions as display_functions
    import ipywidgets

    output = ipywidgets.Output
    output.__enter__ = _enter
    output.__exit__ = _exit
    output.clear_output = _clear_output
    output.append_display_data = _append_display_data
    display_functions.print = _display_print  # type: ignore[attr-defined]
    _redirect_streams()
    _installed = True
