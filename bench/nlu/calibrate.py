"""Chooses nlu/confidence.py's ASK_BELOW: for each candidate threshold, how often the bot
would act on a wrong intent without asking and how often it would ask, on labelled sets.

    python -m bench.nlu.calibrate [--set PATH ...]   (default: the held-out set and bench/nlu/blind2)

The suggested value is the lowest threshold at which acting wrongly stays at or below 1%."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scored(items: list[dict]) -> list[tuple[float, bool]]:
    import nlu
    from datetime import datetime

    from bench.nlu.heldout import NOW

    batch = [{"text": it["text"], "now": datetime.fromisoformat(it["now"]) if it.get("now") else NOW, "tz": it.get("tz")}
             for it in items]
    return [(r.confidence, r.intent == it["intent"]) for r, it in zip(nlu.parse_many(batch), items)]


def main(argv=None) -> int:
    from bench.nlu.__main__ import BLIND2, labelled_sets
    from bench.nlu.heldout import load

    ap = argparse.ArgumentParser(prog="python -m bench.nlu.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="sets", action="append", type=Path)
    ap.add_argument("--max-wrong", type=float, default=0.01)
    args = ap.parse_args(argv)
    os.environ.setdefault("QM_NLU_NAMES", str(HERE / "names_demo.json"))
    items = [it for _, its in labelled_sets(args.sets or [BLIND2]) for it in its]
    if not args.sets:
        items += load()
    pairs = scored(items)
    n = len(pairs)
    best = None
    print(f"{n} messages; intent right {sum(ok for _, ok in pairs) / n:.1%}")
    print("threshold  wrong-without-asking  asks")
    for step in range(20, 96, 5):
        t = step / 100
        wrong = sum(c >= t and not ok for c, ok in pairs) / n
        asks = sum(c < t for c, _ in pairs) / n
        print(f"  {t:.2f}      {wrong:6.1%}              {asks:6.1%}")
        if best is None and wrong <= args.max_wrong:
            best = t
    print(f"suggested ASK_BELOW: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
