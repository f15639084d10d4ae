#!/usr/bin/env bash
# Run the demo app on http://127.0.0.1:5001 (installs what it needs first).
source "$(dirname "$0")/setup.sh" "[corpus]"  # the gallery page shows real PyPI widgets
cd "$root"
exec python -m demo "$@"
