"""The installed runtime closure of fh-anywidget stays free of the Jupyter server stack."""

from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement

FORBIDDEN = {"ipykernel", "jupyter-server", "jupyter_server", "pyzmq", "tornado"}


def closure(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        key = current.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = distribution(current).requires or []
        except PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_runtime_closure_has_no_kernel_or_server():
    deps = closure("fh-anywidget")
    assert {"python-fasthtml", "anywidget", "ipywidgets", "comm", "traitlets"} <= deps
    assert not deps & {f.replace("_", "-") for f in FORBIDDEN}, sorted(deps & FORBIDDEN)
