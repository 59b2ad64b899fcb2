"""Synthetic daily demand for many products: smooth with trend and weekly/yearly
seasonality, intermittent, lumpy, and products launched part-way through."""
from __future__ import annotations

import numpy as np

KINDS = ("smooth", "seasonal", "intermittent", "lumpy", "new")
SHARES = (0.35, 0.15, 0.30, 0.10, 0.10)


def make_series(n: int, days: int, seed: int = 42, chunk: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Returns (y, kind): y is days x n float32 (time-major, as the planner reads it),
    kind the index into KINDS per series."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(len(KINDS), size=n, p=SHARES)
    y = np.empty((days, n), dtype=np.float32)
    t = np.arange(days, dtype=np.float64)[:, None]
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        k = kind[a:b]
        m = b - a
        level = rng.lognormal(mean=1.2, sigma=1.0, size=m)
        trend = rng.normal(0.0, 0.6, size=m) / days  # relative change over the whole history
        weekly = np.where(np.isin(k, [0, 1]), rng.uniform(0.0, 0.4, m), 0.1)
        yearly = np.where(k == 1, rng.uniform(0.3, 0.8, m), rng.uniform(0.0, 0.1, m))
        phase = rng.uniform(0, 2 * np.pi, size=(2, m))
        lam = (level * np.clip(1 + trend * t, 0.2, None)
               * (1 + weekly * np.sin(2 * np.pi * t / 7 + phase[0]))
               * (1 + yearly * np.sin(2 * np.pi * t / 365.25 + phase[1])))
        # Intermittent and lumpy: demand on few days, sizes around the level (lumpy: larger, spread).
        p_day = np.where(k == 2, rng.uniform(0.05, 0.4, m), np.where(k == 3, rng.uniform(0.02, 0.15, m), 1.0))
        occurs = rng.random((days, m)) < p_day
        size_lam = np.where(k == 3, lam * 4, lam)
        draws = rng.poisson(np.where(occurs, size_lam, lam)).astype(np.float32)
        sparse = np.isin(k, [2, 3])
        draws[:, sparse] = np.where(occurs[:, sparse], 1 + draws[:, sparse], 0)
        launch = np.where(k == 4, rng.integers(days // 4, days * 3 // 4, m), 0)
        draws[t < launch[None, :]] = 0
        y[:, a:b] = draws
    return y, kind
