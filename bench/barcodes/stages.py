"""python -m bench.barcodes.stages --dir DIR [--dir DIR2] [--candidates]

Which fallback step reads which photos, and at what CPU cost. For every photo of
a photogen folder whose code the first, upright read misses (and every photo with
no code: the fallback runs in full on those, so they pay for every step), each
fallback attempt of the decoder (bot.barcodes.zxing_decoder._fallback_attempts),
and with --candidates each step of CANDIDATES below, is run on its own, on one
thread, timed with time.thread_time (CPU time: the machine may be loaded).

Prints per step: the photos it reads (per condition), the wrong codes it reports,
its CPU ms over all those photos, reads per CPU second; then a greedy order (the
step reading most of the photos still unread per ms next), and what a CPU budget
per photo would have kept, taking the steps in the decoder's own order.

Use it on tuning seeds only (photogen seeds 11-13; 14 and up are kept blind); seeds 5, 6 and 7 are kept for
measurement.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import cv2
import zxingcpp

cv2.setNumThreads(1)

from bot.barcodes import load_gray  # noqa: E402
from bot.barcodes import zxing_decoder as z  # noqa: E402
from bot.barcodes.regions import find_regions  # noqa: E402

from .__main__ import _score  # noqa: E402
from .sets import manifest_set  # noqa: E402


def candidates(gray: np.ndarray, regions) -> list:
    """Steps the decoder does not take (yet): (label, read)."""
    G = zxingcpp.Binarizer
    steps = [
        ("cand.photo.raw", lambda: z._read(gray)),
        ("cand.photo.invert", lambda: z._read(gray, try_rotate=False)),
    ]
    half = lambda: cv2.resize(z._fit(gray, 2048), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)  # noqa: E731
    steps += [
        ("cand.photo.half.range", lambda: z._read(z.local_range(half()), try_downscale=False, try_invert=False,
                                                  binarizer=G.GlobalHistogram)),
        ("cand.photo.half.global", lambda: z._read(half(), try_downscale=False, try_invert=False,
                                                   binarizer=G.GlobalHistogram)),
    ]
    for i, region in enumerate(regions[:3]):
        steps += [
            (f"cand.region{i}.level_range", lambda region=region: z._read_level_range(gray, region)),
            (f"cand.region{i}.level_range_fixed", lambda region=region: _level(gray, region, z.local_range, G.FixedThreshold)),
            (f"cand.region{i}.level_range_local", lambda region=region: _level(gray, region, z.local_range, G.LocalAverage)),
            (f"cand.region{i}.level_global", lambda region=region: _level(gray, region, lambda im: im, G.GlobalHistogram)),
        ]
    return steps


def _level(gray, region, prepare, binarizer):
    cut, _, _ = z.cut_level(gray, region)
    image, _ = z._readable(prepare(cut.image))
    return z._read(image, try_invert=False, try_downscale=False, binarizer=binarizer)


def _codes(found):
    return [(f.code.format, f.code.content if f.code.gs1 and f.code.content.startswith("(") else f.code.text)
            for f in found]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.barcodes.stages")
    ap.add_argument("--dir", type=Path, action="append", required=True)
    ap.add_argument("--candidates", action="store_true")
    args = ap.parse_args(argv)
    photos = [p for d in args.dir for p in manifest_set(d)]
    reads: dict[str, set] = defaultdict(set)  # step -> photos it reads
    wrong: dict[str, int] = defaultdict(int)
    cpu: dict[str, float] = defaultdict(float)
    order_of: dict[str, list] = {}  # photo -> [(label, cpu s, read?)] in the decoder's order
    condition = {}
    upright_cpu = 0.0
    for p in photos:
        gray = load_gray(p.jpeg)
        start = time.thread_time()
        found = z._read(gray, try_rotate=False, try_invert=False)
        upright_cpu += time.thread_time() - start
        got, bad = _score(p, _codes(found), True)
        if p.codes and got == len(p.codes):
            continue
        condition[p.name] = p.condition
        start = time.thread_time()
        regions = find_regions(gray)
        cpu["regions"] += time.thread_time() - start
        steps = [(a.label, a.read) for a in z._fallback_attempts(gray, z._fit(gray, 2048), regions)]
        n_decoder = len(steps)
        if args.candidates:
            steps += candidates(gray, regions)
        order_of[p.name] = []
        for n, (label, read) in enumerate(steps):
            start = time.thread_time()
            found = read()
            spent = time.thread_time() - start
            cpu[label] += spent
            got, bad = _score(p, _codes([f for f in found if not f.spent]), True)
            wrong[label] += bad
            ok = bool(p.codes) and got == len(p.codes)
            if ok:
                reads[label].add(p.name)
            if n < n_decoder:
                order_of[p.name].append((label, spent, ok, bad))
    missed = [n for n in condition if not any(n in r for r in reads.values())]
    print(f"{len(photos)} photos; to the fallback {len(condition)} (no code: "
          f"{sum(1 for p in photos if not p.codes)}); upright CPU {upright_cpu:.1f} s; "
          f"read by no step {len(missed)}: " + ", ".join(missed))
    conditions = sorted(set(condition.values()))
    print(f"{'step':<24}{'reads':>6}{'wrong':>6}{'cpu ms':>9}{'reads/s':>9}  by condition")
    for label in sorted(cpu, key=lambda s: -len(reads[s]) / max(cpu[s], 1e-9)):
        by = defaultdict(int)
        for name in reads[label]:
            by[condition[name]] += 1
        print(f"{label:<24}{len(reads[label]):>6}{wrong[label]:>6}{1000 * cpu[label]:>9.0f}"
              f"{len(reads[label]) / max(cpu[label], 1e-9):>9.1f}  " + " ".join(f"{c}:{by[c]}" for c in conditions if by[c]))
    left, order = set(condition), []
    while True:
        best = max(reads, key=lambda s: len(reads[s] & left) / max(cpu[s], 1e-9), default=None)
        if best is None or not reads[best] & left:
            break
        order.append(f"{best}(+{len(reads[best] & left)})")
        left -= reads[best]
    print("greedy order (new reads per CPU ms): " + " ".join(order))
    for budget in (0.05, 0.1, 0.15, 0.2, 0.3, 10):
        kept, total = 0, 0.0
        for steps in order_of.values():
            used = 0.0
            for label, spent, ok, bad in steps:
                if used >= budget:
                    break
                used += spent
                if ok:
                    kept += 1
                    break
            total += used
        print(f"CPU budget {1000 * budget:>6.0f} ms a photo, decoder's order: {kept} read, {total:.1f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
