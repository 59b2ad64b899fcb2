"""Benchmark of the language layer on the held-out set (python -m bench.nlu)."""
