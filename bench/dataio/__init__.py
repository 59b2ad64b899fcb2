"""Benchmark of `qm import`: python -m bench.dataio"""
