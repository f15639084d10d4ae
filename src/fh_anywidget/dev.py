"""Development mode: hot module replacement for widgets whose code lives in files.

anywidget turns a file-path ``_esm``/``_css`` into a ``FileContents`` and already wires its
``changed`` signal to the widget (an ``AnyWidget`` sets the trait, a descriptor object resends
its state). anywidget only starts the file watcher when ``ANYWIDGET_HMR=1`` is set before the
class is defined; a dev host starts it for every widget it shows instead, so the switch lives
on ``WidgetHost(dev=True)`` and import order does not matter. The new code then reaches the
browser as a ``code`` message, which a dev host's sockets forward and a production host's drop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("fh_anywidget")

CODE_KEYS = ("_esm", "_css")


def file_contents_of(obj: Any) -> Iterator[Any]:
    """The ``FileContents`` behind ``obj``'s code: an AnyWidget's class or a descriptor's."""
    from anywidget._file_contents import FileContents

    cls = type(obj)
    # AnyWidget.__init__ adds the code traits on a generated subclass: look further up the MRO.
    values = [klass.__dict__.get(key) for klass in cls.__mro__ for key in CODE_KEYS]
    descriptor = getattr(cls, "_repr_mimebundle_", None)  # the class-level MimeBundleDescriptor
    extra = getattr(descriptor, "_extra_state", None)
    if isinstance(extra, dict):
        values.extend(extra.get(key) for key in CODE_KEYS)
    for value in values:
        if isinstance(value, FileContents):
            yield value


def watch(obj: Any) -> None:
    """Start watching the files of ``obj``'s code (once per file; needs ``watchfiles``)."""
    for contents in file_contents_of(obj):
        try:
            import watchfiles  # noqa: F401  (FileContents imports it inside its thread)
        except ImportError:
            log.warning("dev mode: install 'watchfiles' (pip install fh-anywidget[dev]) "
                        "to reload widget code on edit")
            return
        contents.watch_in_thread()


def esm_file(obj: Any) -> str | None:
    """The file ``obj``'s ``_esm`` was read from, if any (for error messages in dev mode)."""
    from anywidget._file_contents import FileContents

    cls = type(obj)
    values = [klass.__dict__.get("_esm") for klass in cls.__mro__]
    extra = getattr(getattr(cls, "_repr_mimebundle_", None), "_extra_state", None)
    if isinstance(extra, dict):
        values.append(extra.get("_esm"))
    for value in values:
        if isinstance(value, FileContents):
            path = Path(value._path)
            try:
                return str(path.relative_to(Path.cwd()))
            except ValueError:
                return str(path)
    return None
