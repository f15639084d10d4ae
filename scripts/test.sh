#!/usr/bin/env bash
# Run the whole test suite (installs what it needs first): lint and types, the browser
# runtime's unit tests (Node), then the Python unit and real-Chromium tests.
source "$(dirname "$0")/setup.sh" "[test]"
cd "$root"
ruff check .
mypy
node --test tests/js/*.test.mjs
exec python -m pytest "$@"
