"""docs/protocol.md stays true to the code: every message type and close code it names is one
the server and the browser runtime actually produce or handle, and none is left out."""

from __future__ import annotations

import re
from pathlib import Path

from fh_anywidget import wire
from fh_anywidget.framing import INBOUND_TYPES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text()
SERVER = "\n".join(p.read_text() for p in (ROOT / "src" / "fh_anywidget").glob("*.py"))
STATIC = ROOT / "src" / "fh_anywidget" / "static"


SENT_TYPE = r'\.(?:send|write)\(\{\s*type: "([\w-]+)"'


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", DOC + "\n## ", re.M | re.S)
    assert match, f"protocol.md has no section {title!r}"
    return match.group(1)


def table_keys(text: str) -> list[str]:
    """The first column of each table row (`name` in backticks, or a bare number)."""
    return re.findall(r"^\| `?([\w-]+)`? \|", text, re.M)


def test_the_title_names_the_version_the_server_speaks():
    assert f"(version {wire.PROTOCOL_VERSION})" in DOC.splitlines()[0]


def test_browser_messages_are_exactly_what_the_server_accepts():
    documented = set(table_keys(section("Browser → server"))) - {"type"}
    assert documented == set(INBOUND_TYPES)
    # A message is the object literal passed to a connection's send() or write().
    sent = {kind for script in STATIC.rglob("*.js") if "vendor" not in script.parts
            for kind in re.findall(SENT_TYPE, script.read_text())}
    assert {"update", "custom", "attach", "detach", "log"} <= sent, "the scan misses the runtime's messages"
    assert sent <= documented, f"the runtime sends undocumented types: {sent - documented}"


def test_server_messages_are_each_produced_and_each_handled():
    documented = set(table_keys(section("Server → browser"))) - {"type"}
    registry = (STATIC / "registry.js").read_text()
    handled = {name.replace("_", "-") for name in re.findall(r"^  on_(\w+)\(", registry, re.M)}
    page = re.search(r"pageMessages = \{(.*?)\}", (STATIC / "page.js").read_text())
    assert page
    handled |= set(re.findall(r"(\w+):", page.group(1)))  # the page around the widgets
    assert handled == documented, "the runtime's handlers and protocol.md disagree"
    for kind in documented:
        assert f'"{kind}"' in SERVER, f"no server code produces {kind!r}"


def test_close_codes_are_the_servers_and_the_browser_knows_which_are_final():
    rows = re.findall(r"^\| (\d{4}) \| [^|]+\| ([^|]+)\|", section("Close codes"), re.M)
    documented = {int(code): "final" in browser for code, browser in rows}
    constants = {v for k, v in vars(wire).items() if k.startswith("CLOSE_")}
    assert set(documented) == constants
    runtime = (STATIC / "connection.js").read_text()
    final_map = re.search(r"FINAL_CLOSE = new Map\(\[(.*?)\]\);", runtime, re.S)
    assert final_map
    final = {int(c) for c in re.findall(r"\[(\d{4}),", final_map.group(1))}
    assert final == {code for code, is_final in documented.items() if is_final}
