"""python -m bench.barcodes.stages --dir DIR [--save-misses OUT]

Which fallback step reads which photos, and at what CPU cost: for every photo of a
photogen folder whose code the first, upright read misses, every fallback attempt
(bot.barcodes.zxing_decoder._fallback_attempts) and every candidate step below is
run on its own, one thread, timed with time.process_time (the machine may be
loaded: CPU time, not wall time). Prints, per step, the photos it reads (per
condition), the wrong codes it reports, its CPU ms in all, reads per CPU second,
and a greedy order: the step reading most of the photos still unread per ms next.

Use it on tuning seeds only (the coordinator keeps seeds 5, 6 and 7 for the final
measurement).
"""
from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

cv2.setNumThreads(1)

from bot.barcodes import load_gray  # noqa: E402
from bot.barcodes import zxing_decoder as z  # noqa: E402
from bot.barcodes.regions import find_regions  # noqa: E402

from .__main__ import _score  # noqa: E402
from .sets import manifest_set  # noqa: E402


_CLAHE2 = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _normalised(image: np.ndarray, sigma: float) -> np.ndarray:
    """Local contrast normalisation: (pixel - local mean) / local spread, back to 0..255."""
    f = image.astype(np.float32)
    mean = cv2.GaussianBlur(f, (0, 0), sigma)
    d = f - mean
    spread = np.sqrt(cv2.GaussianBlur(d * d, (0, 0), sigma)) + 4.0
    return np.clip(128 + 60 * d / spread, 0, 255).astype(np.uint8)


def candidates(gray: np.ndarray, regions) -> list:
    """Steps the decoder does not take (yet): (label, read)."""
    steps = [
        ("cand.photo.half", lambda: z._read(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
                                            try_invert=False)),
        ("cand.photo.half.upright", lambda: z._read(cv2.resize(gray, None, fx=0.5, fy=0.5,
                                                               interpolation=cv2.INTER_AREA),
                                                    try_invert=False, try_rotate=False)),
        ("cand.photo.clahe", lambda: z._read(_CLAHE2.apply(gray), try_invert=False, try_rotate=False)),
        ("cand.photo.gauss", lambda: z._read(cv2.GaussianBlur(gray, (0, 0), 1.2), try_invert=False,
                                             try_rotate=False)),
        ("cand.photo.norm.half", lambda: z._read(_normalised(cv2.resize(gray, None, fx=0.5, fy=0.5,
                                                                        interpolation=cv2.INTER_AREA), 8),
                                                 try_invert=False)),
    ]
    for i, region in enumerate(regions[:2]):
        cut = lambda region=region: z.cut_zoomed(gray, region, 4.0)
        steps += [
            (f"cand.region{i}.otsu", lambda cut=cut: z._read(cv2.threshold(cv2.GaussianBlur(cut().image, (0, 0), 1.5),
                                                                           0, 255, cv2.THRESH_OTSU)[1],
                                                             try_downscale=False, try_invert=False)),
        ]
    return steps


def _codes(found):
    return [(f.code.format, f.code.content if f.code.gs1 and f.code.content.startswith("(") else f.code.text)
            for f in found]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.barcodes.stages")
    ap.add_argument("--dir", type=Path, action="append", required=True)
    ap.add_argument("--save-misses", type=Path, help="copy photos no step reads here (to look at them)")
    args = ap.parse_args(argv)
    photos = [p for d in args.dir for p in manifest_set(d)]
    reads: dict[str, set] = defaultdict(set)  # step -> photos it reads
    wrong: dict[str, int] = defaultdict(int)
    cpu: dict[str, float] = defaultdict(float)
    condition = {}
    upright_cpu = 0.0
    misses = []
    for p in photos:
        if not p.codes:
            continue
        gray = load_gray(p.jpeg)
        start = time.process_time()
        found = z._read(gray, try_rotate=False, try_invert=False)
        upright_cpu += time.process_time() - start
        got, bad = _score(p, _codes(found), True)
        if got == len(p.codes):
            continue
        condition[p.name] = p.condition
        start = time.process_time()
        regions = find_regions(gray)
        cpu["regions"] += time.process_time() - start
        order = z.FALLBACK + ("region0.norm", "region1.smooth", "region1.norm", "region1.glare")
        steps = [(a.label, a.read) for a in z._fallback_attempts(gray, z._fit(gray, 2048), regions, order)]
        steps += candidates(gray, regions)
        any_read = False
        for label, read in steps:
            start = time.process_time()
            found = read()
            cpu[label] += time.process_time() - start
            got, bad = _score(p, _codes([f for f in found if not f.spent]), True)
            wrong[label] += bad
            if got == len(p.codes):
                reads[label].add(p.name)
                any_read = True
        if not any_read:
            misses.append(p)
    n_missed = len(condition)
    print(f"{len(photos)} photos; upright read misses {n_missed}; upright CPU {upright_cpu:.1f} s; "
          f"no fallback step reads {len(misses)}: " + ", ".join(f"{p.name}" for p in misses))
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
    if args.save_misses:
        args.save_misses.mkdir(parents=True, exist_ok=True)
        for p in misses:
            (args.save_misses / p.name.replace("/", "_")).write_bytes(p.jpeg)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
