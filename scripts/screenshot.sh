#!/usr/bin/env bash
# Retake docs/demo.png (the README's picture of the demo) in real headless Chromium.
source "$(dirname "$0")/setup.sh" "[test]"  # Playwright and the gallery's widgets
cd "$root"
exec python -m demo.screenshot "$@"
