"""What `fh-anywidget preview TARGET` accepts: a file or a module, then a class, a widget or a
factory; anything else is refused with a reason (no server, no browser: milliseconds)."""

from __future__ import annotations

import sys

import anywidget
import pytest

from fh_anywidget.cli import load_target

SOURCE = '''
import anywidget

class Dot(anywidget.AnyWidget):
    _esm = "export default { render() {} };"

made = Dot()
number = 7

def make():
    return Dot()
'''


@pytest.fixture
def package(tmp_path, monkeypatch):
    name = f"previewpkg_{tmp_path.name.replace('-', '_')}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / name / "widgets.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    return name


@pytest.mark.parametrize("name", ["Dot", "made", "make"])
def test_a_module_target_may_name_a_class_a_widget_or_a_factory(package, name):
    widget, shown = load_target(f"{package}.widgets:{name}")
    assert isinstance(widget, anywidget.AnyWidget) and shown == name
    widget.close()


def test_a_file_target_is_imported_from_its_path(package):
    widget, _ = load_target(f"{package}/widgets.py:Dot")
    assert type(widget).__name__ == "Dot"
    widget.close()


@pytest.mark.parametrize(("target", "reason"), [
    ("nocolon", "expected FILE.py:NAME"),
    ("missing.py:Dot", "no such file"),
    ("{pkg}.widgets:Nope", "has no 'Nope'"),
    ("{pkg}.widgets:number", "is not a widget"),
])
def test_bad_targets_are_refused_with_a_reason(package, target, reason):
    with pytest.raises(SystemExit, match=reason):
        load_target(target.format(pkg=package))
