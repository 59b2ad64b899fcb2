"""Chooses nlu/confidence.py's rule: act only when the top intent's score is at least
ASK_BELOW and leads the runner-up by at least MARGIN; otherwise ask.

    python -m bench.nlu.calibrate [--set PATH ...] [--folds 5] [--repeats 5]
    (default: the used sets A and B pooled: bench/nlu/blind2 and bench/nlu/holdout_B)

A pair (threshold, margin) is chosen on k-1 folds (the fewest wrong-without-asking among
the pairs that ask on at most --max-asks of the messages, 10% by default) and measured on
the fold left out, so the figures printed as "cross-validated" were never
fitted on the messages they are measured on. The value to ship is then chosen the same
way on all the messages, and its in-sample rates are printed beside the CV estimate."""
from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
THRESHOLDS = [t / 100 for t in range(20, 99)]
MARGINS = [m / 100 for m in range(0, 81, 2)]


def scored(items: list[dict]) -> list[tuple[float, float, bool]]:
    """(top score, runner-up score, top is right) per message, parsed as the bot would."""
    import nlu
    from datetime import datetime

    from bench.nlu.heldout import NOW

    batch = [{"text": it["text"], "now": datetime.fromisoformat(it["now"]) if it.get("now") else NOW, "tz": it.get("tz")}
             for it in items]
    out = []
    for r, it in zip(nlu.parse_many(batch), items):
        second = r.alternatives[1][1] if len(r.alternatives) > 1 else 0.0
        out.append((r.confidence, second, r.intent == it["intent"]))
    return out


def rates(rows, t: float, m: float) -> tuple[float, float]:
    """(acts on a wrong intent without asking, asks), as fractions of the messages."""
    n = len(rows) or 1
    wrong = asks = 0
    for c, second, ok in rows:
        sure = c >= t and c - second >= m
        wrong += sure and not ok
        asks += not sure
    return wrong / n, asks / n


def choose(rows, max_asks: float) -> tuple[float, float]:
    """The pair that acts wrongly least while asking on at most `max_asks` of the messages
    (ties: fewer asks, then the lower threshold and margin)."""
    import numpy as np

    c = np.array([r[0] for r in rows])
    lead = c - np.array([r[1] for r in rows])
    bad = ~np.array([r[2] for r in rows])
    best = None
    for t in THRESHOLDS:
        for m in MARGINS:
            sure = (c >= t) & (lead >= m)
            wrong, asks = float((sure & bad).mean()), float((~sure).mean())
            key = (asks > max_asks, wrong if asks <= max_asks else asks, asks, t, m)
            if best is None or key < best[0]:
                best = (key, (t, m))
    return best[1]


def cross_validate(rows, folds: int, repeats: int, max_asks: float) -> tuple[float, float, list]:
    wrong_total = asks_total = 0.0
    picks = []
    for rep in range(repeats):
        order = list(range(len(rows)))
        random.Random(rep).shuffle(order)
        for k in range(folds):
            test = [rows[i] for j, i in enumerate(order) if j % folds == k]
            train = [rows[i] for j, i in enumerate(order) if j % folds != k]
            t, m = choose(train, max_asks)
            picks.append((t, m))
            w, a = rates(test, t, m)
            wrong_total += w * len(test)
            asks_total += a * len(test)
    n = len(rows) * repeats
    return wrong_total / n, asks_total / n, picks


def main(argv=None) -> int:
    from bench.nlu.__main__ import labelled_sets

    ap = argparse.ArgumentParser(prog="python -m bench.nlu.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="sets", action="append", type=Path)
    ap.add_argument("--max-asks", type=float, default=0.10, help="the most the bot may ask (default 0.10)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    os.environ.setdefault("QM_NLU_NAMES", str(HERE / "names_demo.json"))
    paths = args.sets or [HERE / "blind2", HERE / "holdout_B"]
    rows = [r for _, its in labelled_sets(paths) for r in scored(its)]
    n = len(rows)
    print(f"{n} messages from {', '.join(str(p) for p in paths)}; intent right {sum(ok for *_, ok in rows) / n:.1%}")
    print("threshold alone (margin 0): wrong-without-asking / asks")
    for t in THRESHOLDS[::5]:
        w, a = rates(rows, t, 0.0)
        print(f"  {t:.2f}  {w:6.1%}  {a:6.1%}")
    cw, ca, picks = cross_validate(rows, args.folds, args.repeats, args.max_asks)
    print(f"cross-validated ({args.folds} folds x {args.repeats}): acts wrongly {cw:.1%}, asks {ca:.1%}; "
          f"pairs chosen per fold: {sorted(set(picks))}")
    t, m = choose(rows, args.max_asks)
    w, a = rates(rows, t, m)
    print(f"suggested ASK_BELOW = {t:.2f}, MARGIN = {m:.2f} (on all {n}: acts wrongly {w:.1%}, asks {a:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
