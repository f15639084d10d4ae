#!/usr/bin/env bash
# Run the whole test suite (installs what it needs first): lint, then unit + browser tests.
source "$(dirname "$0")/setup.sh" "[test]"
cd "$root"
ruff check .
exec python -m pytest "$@"
