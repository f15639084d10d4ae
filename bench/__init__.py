"""Benchmarks against the raw-WebSocket limit: ``bash scripts/bench.sh`` or ``python -m bench``."""
