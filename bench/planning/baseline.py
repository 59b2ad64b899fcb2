"""statsforecast on the same series and methods, in its own process so its memory
does not count against the planner's peak:

    python -m bench.planning.baseline TRAIN.npy OUT.npz --horizon 28 --windows 3 --adi 1.32

TRAIN.npy is days x series. Writes per-series forecasts of each model, the
choice made the planner's way (rolling-origin cross-validation, error of each
window's total, Croston/SBA for intermittent series) and the seconds taken."""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

MODELS = ("WindowAverage", "SESOpt", "SES", "CrostonClassic", "CrostonSBA")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("out")
    ap.add_argument("--horizon", type=int, default=28)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--adi", type=float, default=1.32)
    args = ap.parse_args()

    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import (CrostonClassic, CrostonSBA, SimpleExponentialSmoothing,
                                      SimpleExponentialSmoothingOptimized, WindowAverage)

    y = np.load(args.train, mmap_mode="r")
    T, n = y.shape
    df = pd.DataFrame({"unique_id": np.repeat(np.arange(n, dtype=np.int32), T),
                       "ds": np.tile(np.arange(T, dtype=np.int32), n),
                       "y": np.ascontiguousarray(y.T).ravel()})
    h = args.horizon
    # The planner's candidates (SES with its factor fitted in-sample, as the planner does),
    # then the same choice: backtest over the last windows, pick per series.
    sf = StatsForecast(models=[WindowAverage(window_size=28), SimpleExponentialSmoothingOptimized(),
                               CrostonClassic(), CrostonSBA()], freq=1, n_jobs=1)
    t0, c0 = time.perf_counter(), time.process_time()
    fc = sf.forecast(df=df, h=h)
    t_forecast = time.perf_counter() - t0
    t0 = time.perf_counter()
    cv = sf.cross_validation(df=df, h=h, n_windows=args.windows, step_size=h)
    names = ["WindowAverage", "SESOpt", "CrostonClassic", "CrostonSBA"]
    sums = cv.groupby(["unique_id", "cutoff"], sort=True)[["y", *names]].sum()
    err = np.vstack([(sums[m] - sums["y"]).abs().groupby(level=0).sum().to_numpy() for m in names])
    nz = y > 0
    count = nz.sum(axis=0)
    first = np.where(count > 0, nz.argmax(axis=0), T)
    adi = np.where(count > 0, (T - first) / np.maximum(count, 1), np.inf)
    intermittent = (count > 0) & (adi > args.adi)
    smooth_ok = np.array([True, True, False, False])[:, None]
    sparse_ok = ~smooth_ok
    err = np.where(np.where(intermittent[None, :], sparse_ok, smooth_ok), err, np.inf)
    choice = err.argmin(axis=0)
    t_select = time.perf_counter() - t0
    cpu = time.process_time() - c0

    # SES with a fixed factor: not timed, only to check the planner's arithmetic against it.
    fixed = StatsForecast(models=[SimpleExponentialSmoothing(alpha=0.1)], freq=1, n_jobs=1).forecast(df=df, h=h)
    per_model = {m: fc[m].to_numpy().reshape(n, h).mean(axis=1) for m in MODELS if m != "SES"}
    per_model["SES"] = fixed["SES"].to_numpy().reshape(n, h).mean(axis=1)
    auto = np.vstack([per_model[m] for m in names])[choice, np.arange(n)]
    np.savez(args.out, auto=auto, choice=choice, **per_model)
    print(json.dumps({"series": n, "forecast_s": t_forecast, "select_s": t_select, "cpu_s": cpu, "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own high-water mark (ru_maxrss would include the parent's, inherited at fork)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
