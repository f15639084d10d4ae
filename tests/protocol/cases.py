"""Load the shared protocol examples (cases.json) with binary values decoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES = json.loads((Path(__file__).parent / "cases.json").read_text())


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return bytes.fromhex(value["$bytes"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
