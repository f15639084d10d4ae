"""The ``fh-anywidget`` command. ``fh-anywidget preview TARGET`` serves one widget for its
author: ``TARGET`` is ``path/to/file.py:Name`` or ``package.module:Name``, where ``Name`` is a
widget class (made with no arguments), a widget, or a function returning one.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def load_target(target: str) -> tuple[Any, str]:
    """The widget ``target`` names, and the name to show it under."""
    where, sep, name = target.rpartition(":")
    if not sep or not where or not name:
        raise SystemExit(f"fh-anywidget: expected FILE.py:NAME or MODULE:NAME, not {target!r}")
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where).resolve()
        if not path.is_file():
            raise SystemExit(f"fh-anywidget: no such file: {where}")
        sys.path.insert(0, str(path.parent))  # so the file can import its neighbours
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise SystemExit(f"fh-anywidget: cannot import {where}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    else:
        sys.path.insert(0, str(Path.cwd()))
        module = importlib.import_module(where)
    try:
        found = getattr(module, name)
    except AttributeError:
        raise SystemExit(f"fh-anywidget: {where} has no {name!r}") from None
    widget = found() if callable(found) and not _is_widget(found) else found
    if not _is_widget(widget):
        raise SystemExit(f"fh-anywidget: {target} is not a widget (got {type(widget).__name__})")
    return widget, name


def _is_widget(obj: Any) -> bool:
    """An ipywidgets/anywidget instance, or a descriptor-protocol object (anywidget's
    MimeBundleDescriptor); a class is not (it is made first)."""
    if isinstance(obj, type):
        return False
    return hasattr(obj, "comm") or hasattr(type(obj), "_repr_mimebundle_")


def preview(target: str, port: int, open_browser: bool) -> None:
    import uvicorn

    from .preview import preview_app

    widget, name = load_target(target)
    app = preview_app(widget, name)
    url = f"http://127.0.0.1:{port}"
    if open_browser:
        app.router.on_startup.append(lambda: webbrowser.open(url))
    print(f"fh-anywidget preview of {name} on {url}  (edit its _esm/_css files: the view reloads)",
          flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning",
                ws_per_message_deflate=False)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fh-anywidget")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("preview", help="serve one widget with hot reload and a trait panel")
    show.add_argument("target", help="path/to/file.py:Name or package.module:Name")
    show.add_argument("--port", type=int, default=5002)
    show.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    args = parser.parse_args(argv)
    if args.command == "preview":
        preview(args.target, args.port, not args.no_browser)
