"""Planning benchmark: `python -m bench.planning` (see docs/benchmarks.md)."""
