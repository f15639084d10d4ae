#!/usr/bin/env bash
# Run the benchmark suite (installs what it needs first). Arguments go to `python -m bench`,
# e.g. `bash scripts/bench.sh --only P1,P3` or `--quick`. Writes docs/benchmarks.md.
source "$(dirname "$0")/setup.sh" ""
cd "$root"
exec python -m bench "$@"
