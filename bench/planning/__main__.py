"""Planning benchmark: python -m bench.planning [--series 100000] [--days 730] [--baseline-series N]

1. Generates daily demand for many products (seasonal, trending, intermittent, lumpy, new).
2. Times the full planning math on one core: forecasts of every candidate method,
   the backtest that picks one per series, safety stock, reorder point, order-up-to
   and rounded order quantities (domain.planning.forecast / policy, the code
   `qm plan` runs). Prints the peak memory (RSS) at that point.
3. Accuracy on a held-out final 28 days: the planner fits the first days-28, and
   MASE (scale: mean absolute one-day change in the training days) is computed
   for each method and for the method chosen by backtest.
4. statsforecast (Nixtla) on the same training series, in its own process and on
   the same core: WindowAverage(28), SES (alpha 0.1 and optimised), CrostonClassic,
   CrostonSBA, and the same choice by cross-validation; accuracy and time, and the ratio.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from domain.planning.config import PlanningConfig  # noqa: E402
from domain.planning.forecast import forecast, recursive_states  # noqa: E402
from domain.planning.policy import plan_policy  # noqa: E402

from .generate import KINDS, make_series  # noqa: E402

HOLDOUT = 28


def peak_rss_mb() -> float:
    """High-water mark of resident memory (since the last reset_peak_rss where Linux allows it)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets the high-water mark, so the planning step's
    own peak can be told from the data generator's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def run_forecast(y: np.ndarray, cfg: PlanningConfig):
    return forecast(y, ma_windows=cfg.ma_windows, ses_alphas=cfg.ses_alphas, croston_alpha=cfg.croston_alpha,
                    horizon=cfg.backtest_days, windows=cfg.backtest_windows, intermittent_adi=cfg.intermittent_adi,
                    variability_days=cfg.variability_days)


def planning_math(y: np.ndarray, cfg: PlanningConfig, rng: np.random.Generator) -> tuple[float, float, float, dict]:
    """The whole per-product math of a planning run; returns (forecast s, policy s, CPU s, facts)."""
    n = y.shape[1]
    t0, c0 = time.perf_counter(), time.process_time()
    fc = run_forecast(y, cfg)
    t_fc = time.perf_counter() - t0
    cpu = time.process_time() - c0
    # Inventory facts a database would supply (not timed: reading them is I/O, not math).
    lead = rng.integers(3, 31, n).astype(float)
    lead_sd = rng.uniform(0, 3, n) * (rng.random(n) < 0.3)
    level = rng.choice([0.9, 0.95, 0.98], n)
    on_hand = np.floor(fc.per_day * rng.uniform(0, 40, n))
    on_order = np.where(rng.random(n) < 0.2, np.floor(fc.per_day * 14), 0.0)
    reserved = np.floor(on_hand * rng.uniform(0, 0.2, n))
    moq = rng.choice([1, 10, 50, 100], n).astype(float)
    mult = rng.choice([1, 5, 6, 12, 20], n).astype(float)
    rule = np.where(rng.random(n) < 0.05, np.floor(fc.per_day * 20), np.nan)
    t0, c0 = time.perf_counter(), time.process_time()
    pol = plan_policy(demand_per_day=fc.per_day, sigma_per_day=fc.sigma, lead_time_days=lead, lead_time_sd=lead_sd,
                      service_level=level, review_days=cfg.review_days, on_hand=on_hand, on_order=on_order,
                      reserved=reserved, moq=moq, multiple=mult, rule_min=rule, rule_max=rule * 2)
    t_pol = time.perf_counter() - t0
    cpu += time.process_time() - c0
    methods, counts = np.unique(fc.method.astype(str), return_counts=True)
    return t_fc, t_pol, cpu, {"suggestions": int((pol.suggested > 0).sum()),
                         "methods": dict(zip(methods.tolist(), counts.tolist()))}


def mase(train: np.ndarray, test: np.ndarray, f: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    """Per series: mean |actual - forecast| over the test days / mean |one-day change| in training."""
    n = train.shape[1]
    out = np.full(n, np.nan)
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        scale = np.abs(np.diff(train[:, a:b], axis=0)).mean(axis=0, dtype=np.float64)
        err = np.abs(test[:, a:b] - f[None, a:b]).mean(axis=0, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[a:b] = np.where(scale > 0, err / scale, np.nan)
    return out


def total_error(test: np.ndarray, f: np.ndarray) -> float:
    """Error of the held-out window's total, what a reorder must cover: sum |28 f - actual total| / sum actual."""
    actual = test.sum(axis=0, dtype=np.float64)
    return float(np.abs(f * test.shape[0] - actual).sum() / actual.sum())


def _args():
    ap = argparse.ArgumentParser(prog="python -m bench.planning")
    ap.add_argument("--series", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--baseline-series", type=int, default=20_000,
                    help="series given to statsforecast, the first N (default 20,000: all 100,000 take minutes "
                         "and several GB; its time is scaled per series)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    return ap.parse_args()


def _speed_of_the_whole(y, cfg, args) -> None:
    rng = np.random.default_rng(args.seed + 1)
    whole_peak = peak_rss_mb()
    own = reset_peak_rss()
    t_fc, t_pol, cpu, facts = planning_math(y, cfg, rng)
    print(f"planning math, {args.series:,} products x {args.days} days: {t_fc + t_pol:.2f} s wall, {cpu:.2f} s CPU "
          f"(forecast + backtest choice {t_fc:.2f} s, policy {t_pol:.3f} s); peak RSS "
          + (f"{peak_rss_mb():.0f} MB during planning, history matrix included (generator's peak before: "
             f"{whole_peak:.0f} MB)" if own else f"{peak_rss_mb():.0f} MB (whole process, generator included)"))
    print(f"  methods chosen: {facts['methods']}; suggestions: {facts['suggestions']:,}")


def _statsforecast(train, cfg, m: int):
    """The baseline in its own process on the first m series: (timing, forecasts), or None when it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "train.npy", np.ascontiguousarray(train[:, :m]))
        proc = subprocess.run(
            [sys.executable, "-m", "bench.planning.baseline", str(Path(tmp) / "train.npy"), str(Path(tmp) / "sf.npz"),
             "--horizon", str(cfg.backtest_days), "--windows", str(cfg.backtest_windows),
             "--adi", str(cfg.intermittent_adi)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return None
        return json.loads(proc.stdout.strip().splitlines()[-1]), dict(np.load(Path(tmp) / "sf.npz"))


def _accuracy_table(train, test, ours, scores, sf, fc, m: int, args) -> None:
    sub = slice(0, m)
    pairs = [("ma28", "WindowAverage"), ("ses0.1", "SES"), ("ses (alpha in-sample)", "SESOpt"),
             ("croston", "CrostonClassic"), ("sba", "CrostonSBA"), ("chosen by backtest", "auto")]
    print(f"  {'':46s} {'MASE':>23s}   {'error of the 28-day total':>25s}")
    print(f"  {'planner method / statsforecast model':46s} {'planner':>8s} {'statsforecast':>14s}"
          f"   {'planner':>10s} {'statsforecast':>14s}   (on the {m:,} series statsforecast ran"
          + (", a subsample)" if m < args.series else ")"))
    for ours_name, sf_name in pairs:
        s_ours = np.nanmean(scores[ours_name][sub])
        s_sf = np.nanmean(mase(train[:, sub], test[:, sub], sf[sf_name]))
        label = f"{ours_name} / {sf_name if sf_name != 'auto' else 'same choice by CV'}"
        e_ours = total_error(test[:, sub], ours[ours_name][sub])
        e_sf = total_error(test[:, sub], sf[sf_name])
        print(f"  {label:46s} {s_ours:8.3f} {s_sf:14.3f}   {e_ours:10.1%} {e_sf:14.1%}")
    if m < args.series:
        print(f"  planner on all {args.series:,}, chosen by backtest: MASE "
              f"{np.nanmean(scores['chosen by backtest']):.3f}, error of the total "
              f"{total_error(test, ours['chosen by backtest']):.1%}")
    agree = np.abs(ours["ses0.1"][sub] - sf["SES"]).max()
    families = {"ma": 0, "ses": 1, "croston": 2, "sba": 3, "none": -1}
    ours_family = np.array([families[f] for f in fc.method[sub]])
    same = np.mean(ours_family == sf["choice"])
    print(f"  check: planner ses0.1 vs statsforecast SES(0.1), largest difference {agree:.2e} units/day; "
          f"same family chosen for {same:.0%} of series")


def _speed_table(timing, t_fit: float, cpu_fit: float, fc, cfg, m: int, args) -> None:
    sf_total = timing["forecast_s"] + timing["select_s"]
    sf_cpu = timing["cpu_s"]
    per_series_ours = t_fit / args.series
    per_series_sf = sf_total / m
    print(f"\nspeed, fit + choose on {args.days - HOLDOUT} days (one core):")
    print(f"  planner: {t_fit:.2f} s ({cpu_fit:.2f} s CPU) for {args.series:,} series, {len(fc.candidates)} candidates + {cfg.backtest_windows}-window backtest "
          f"= {per_series_ours * 1e6:.1f} µs/series")
    print(f"  statsforecast: {sf_total:.2f} s ({sf_cpu:.2f} s CPU) for {m:,} series (forecast of the 4 candidates {timing['forecast_s']:.2f} s, "
          f"{cfg.backtest_windows}-window cross-validation of 4 {timing['select_s']:.2f} s) = {per_series_sf * 1e6:.1f} µs/series"
          + (f", scaled to {args.series:,}: {per_series_sf * args.series:.1f} s" if m < args.series else "")
          + f"; its peak RSS {timing['peak_rss_mb']:.0f} MB")
    print(f"  ratio: planner is {per_series_sf / per_series_ours:.1f}x faster per series "
          f"({(sf_cpu / m) / (cpu_fit / args.series):.1f}x in CPU time)")


def main() -> int:
    args = _args()
    try:  # one core for everything measured, the baseline included (it inherits this)
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    cfg = PlanningConfig()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (pinned to 1), "
          f"python {platform.python_version()}, numpy {np.__version__}")

    t0 = time.perf_counter()
    y, kind = make_series(args.series, args.days, seed=args.seed)
    print(f"generated {args.series:,} series x {args.days} days in {time.perf_counter() - t0:.1f} s "
          f"({y.nbytes / 2**20:.0f} MiB float32; "
          + ", ".join(f"{k} {(kind == i).sum():,}" for i, k in enumerate(KINDS)) + ")")
    _speed_of_the_whole(y, cfg, args)

    # Accuracy on the held-out final 28 days.
    train, test = y[:-HOLDOUT], y[-HOLDOUT:]
    t0, c0 = time.perf_counter(), time.process_time()
    fc = run_forecast(train, cfg)
    t_fit = time.perf_counter() - t0
    cpu_fit = time.process_time() - c0
    names = [c.name for c in fc.candidates]
    ours = {
        "ma28": fc.all_forecasts[names.index("ma28")],
        "ses0.1": recursive_states(train, [0.1], cfg.croston_alpha, [train.shape[0]])[train.shape[0]][0][0],
        "ses (alpha in-sample)": fc.all_forecasts[names.index("ses")],
        "croston": fc.all_forecasts[names.index("croston")],
        "sba": fc.all_forecasts[names.index("sba")],
        "chosen by backtest": fc.per_day,
    }
    scores = {k: mase(train, test, v) for k, v in ours.items()}
    print(f"\nheld-out accuracy, final {HOLDOUT} days, mean MASE over series with any change "
          f"(fit on {args.days - HOLDOUT} days in {t_fit:.2f} s):")
    if args.no_baseline:
        for k, s in scores.items():
            print(f"  {k:26s} {np.nanmean(s):.3f}")
        return 0

    m = min(args.baseline_series or args.series, args.series)
    baseline = _statsforecast(train, cfg, m)
    if baseline is None:
        return 1
    timing, sf = baseline
    _accuracy_table(train, test, ours, scores, sf, fc, m, args)
    _speed_table(timing, t_fit, cpu_fit, fc, cfg, m, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
