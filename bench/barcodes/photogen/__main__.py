"""python -m photogen --seed N --out DIR [--count-per-condition K] [--conditions a,b] [--jobs J]"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from .gen import CONDITIONS, assign_symbologies, generate


def _work(args):
    seed, cond, i, sym, out = args
    cv_threads()
    data, text, raw, meta = generate(seed, cond, i, sym)
    rel = f"{cond}/{cond}_s{seed}_{i:03d}.jpg"
    with open(os.path.join(out, rel), "wb") as f:
        f.write(data)
    rec = {"file": rel, "condition": cond, "symbology": sym, "text": text, "raw": raw}
    if sym == "UPCA":
        rec["alt_text"] = ["0" + text]  # some decoders report UPC-A as 13-digit EAN
    rec.update(meta)
    return rec


def cv_threads():
    import cv2
    cv2.setNumThreads(1)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="photogen")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count-per-condition", type=int, default=20)
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    conds = [c for c in a.conditions.split(",") if c]
    for c in conds:
        if c not in CONDITIONS:
            sys.exit(f"unknown condition {c}")
        os.makedirs(os.path.join(a.out, c), exist_ok=True)
    tasks = []
    for c in conds:
        for i, sym in enumerate(assign_symbologies(a.seed, c, a.count_per_condition)):
            tasks.append((a.seed, c, i, sym, a.out))
    t0 = time.time()
    recs = []
    if a.jobs <= 1:
        for t in tasks:
            recs.append(_work(t))
    else:
        with ProcessPoolExecutor(a.jobs) as ex:
            for n, r in enumerate(ex.map(_work, tasks, chunksize=1)):
                recs.append(r)
                if (n + 1) % 25 == 0:
                    print(f"{n + 1}/{len(tasks)} {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    with open(os.path.join(a.out, "manifest.jsonl"), "w") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} images to {a.out} in {time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
