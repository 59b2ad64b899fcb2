"""python -m bench.barcodes [--set team|independent|both] [--dir DIR] [--seed N] [--failures] ...

Decodes photo sets (bench/barcodes/sets.py) with three readers in the same
run, photo by photo, in one process:

  ours     bot.barcodes.decode_image (zxing-cpp + fallback for hard photos)
  zxing    raw zxingcpp.read_barcodes on the same grayscale image, default options
  pyzbar   raw pyzbar.decode on the same grayscale image (no DataMatrix/Aztec)

Sets: `team` is bench/barcodes/generate.py (seed 3 by default; seeds 1, 2 and
11 were used while developing the decoder); `independent` is
bench/barcodes/photogen, written by someone who never read the decoder,
rendered under bench/out/barcodes on first use; `--dir` reads any folder with
photogen's manifest.jsonl.

A photo counts as decoded when every expected payload is among the results
(ours: format must match as well); any other payload reported is a false
positive. Speed is wall-clock time per photo from JPEG bytes to results:
p50/p90/p99, and photos/s = photos / total time, the throughput of a whole
set (1 / median would hide the slow tail). Ours may use a second thread for
one photo; OpenCV itself is kept to one thread.
For photos ours missed, --failures also prints what the reply to the picker
would say (bot.barcodes.diagnosis) beside the photo's condition.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import cv2

cv2.setNumThreads(1)

from bot.barcodes import decode_image, explain_image, load_gray  # noqa: E402
from domain.errors import InvalidInput  # noqa: E402
from domain.scanning import expand_upce, gtin14, parse_gs1, parse_gs1_hri  # noqa: E402

from .sets import Photo, independent_dir, manifest_set, team_set  # noqa: E402

COMBINED = ("hard", "combined")  # the tier where several conditions meet, whatever a set calls it


def _keys(text: str) -> set:
    """Every normal form of a payload, so readers that print it differently still match."""
    keys = {text}
    body = text[3:] if len(text) > 3 and text[0] == "]" else text
    keys.add(body)
    if body.isdigit():
        for digits in (body, expand_upce(body) if len(body) == 8 and body[0] in "01" else None):
            try:
                gtin = gtin14(digits) if digits else None
            except InvalidInput:
                gtin = None
            if gtin:
                keys.add(("gtin", gtin))
    for parse in (lambda: parse_gs1(body), lambda: parse_gs1_hri(body)):
        try:
            keys.add(("gs1", tuple(sorted(parse().items()))))
        except (InvalidInput, ValueError, IndexError):
            pass
    return keys


def _key(fmt: str, text: str) -> object:
    if fmt in ("EAN13", "EAN8", "UPCA") and text.isdigit():
        return ("gtin", gtin14(text))
    if fmt == "UPCE":
        return ("gtin", gtin14(expand_upce(text)))
    if text.startswith("("):
        return ("gs1", tuple(sorted(parse_gs1_hri(text).items())))
    return text


def read_ours(data: bytes):
    return [(c.format, c.content if c.gs1 and c.content.startswith("(") else c.text) for c in decode_image(data)]


def read_zxing(data: bytes):
    import zxingcpp

    return [(None, r.text) for r in zxingcpp.read_barcodes(load_gray(data))]


def read_pyzbar(data: bytes):
    from pyzbar import pyzbar

    return [(None, r.data.decode("utf-8", "replace")) for r in pyzbar.decode(load_gray(data))]


READERS = {"ours": read_ours, "zxing": read_zxing, "pyzbar": read_pyzbar}
# Equivalent names for a format (an EAN-13 starting with 0 is a UPC-A)
_SAME_FORMAT = {"UPCA": {"UPCA", "EAN13"}, "EAN13": {"EAN13", "UPCA"}}


class Tally:
    """One reader's results on one set."""

    def __init__(self):
        self.hits: dict[str, int] = defaultdict(int)
        self.count: dict[str, int] = defaultdict(int)
        self.codes_found: dict[str, int] = defaultdict(int)
        self.codes_total: dict[str, int] = defaultdict(int)
        self.false_pos: dict[str, int] = defaultdict(int)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.by_symbology: dict[str, list[int]] = defaultdict(lambda: [0, 0])


def _score(photo: Photo, found, strict_format: bool) -> tuple[int, int]:
    """-> (expected codes found, wrong codes reported)."""
    expected = [(fmt, _key(fmt, text)) for fmt, text in photo.codes]
    got, wrong = set(), 0
    for fmt, text in found:
        keys = _keys(text)
        match = [i for i, (efmt, key) in enumerate(expected)
                 if key in keys and (not strict_format or fmt in _SAME_FORMAT.get(efmt, {efmt}))]
        if match:
            got.update(match)
        elif not any(key in keys for _, key in expected):
            wrong += 1
    return len(got), wrong


def run_set(photos: list[Photo], readers: list[str]) -> tuple[dict[str, Tally], list]:
    tallies = {r: Tally() for r in readers}
    failures = []
    for p in photos:
        for r in readers:
            t = tallies[r]
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                found = READERS[r](p.jpeg)
            except InvalidInput:
                found = []
            t.times[p.condition].append(time.perf_counter() - start)
            t.cpu[p.condition].append(time.process_time() - start_cpu)
            got, wrong = _score(p, found, r == "ours")
            t.count[p.condition] += 1
            t.hits[p.condition] += bool(p.codes) and got == len(p.codes)
            t.codes_found[p.condition] += got
            t.codes_total[p.condition] += len(p.codes)
            t.false_pos[p.condition] += wrong > 0
            if p.codes:
                t.by_symbology[p.symbology][0] += got == len(p.codes)
                t.by_symbology[p.symbology][1] += 1
            if r == "ours" and (wrong or got < len(p.codes)):
                failures.append((p, found))
    return tallies, failures


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:>9.1f}%" if b else f"{'-':>10}"


def report(title: str, photos: list[Photo], tallies: dict[str, Tally], readers: list[str], failures, show_failures: bool):
    main = [p for p in photos if not p.extra]
    conditions = list(dict.fromkeys(p.condition for p in main))
    positives = [c for c in conditions if any(p.codes for p in main if p.condition == c)]
    negatives = [c for c in conditions if c not in positives]
    n_pos = sum(1 for p in main if p.codes)
    print(f"\n== {title}: {len(main)} photos ({n_pos} with a code, {len(main) - n_pos} without)"
          + (f" + {len(photos) - len(main)} extra" if len(photos) > len(main) else ""))
    header = f"{'condition':<14}" + "".join(f"{r:>10}" for r in readers)
    print(header)
    for c in positives:
        n = tallies[readers[0]].count[c]
        print(f"{c + f' ({n})':<14}" + "".join(_pct(tallies[r].hits[c], n) for r in readers))
    print("-" * len(header))
    pos_total = sum(tallies[readers[0]].count[c] for c in positives)
    print(f"{'overall':<14}" + "".join(_pct(sum(tallies[r].hits[c] for c in positives), pos_total) for r in readers))
    for c in positives:
        if c in COMBINED:
            print(f"{'combined tier':<14}" + "".join(_pct(tallies[r].hits[c], tallies[r].count[c]) for r in readers))
    print(f"{'false pos.':<14}" + "".join(f"{sum(tallies[r].false_pos[c] for c in conditions):>10d}" for r in readers)
          + f"   (photos with a wrong code, of {len(main)}; {', '.join(negatives) or 'no'} without a code)")

    def spread(r, table):
        return [t for c in conditions for t in table[r][c]]

    times = {r: tallies[r].times for r in readers}
    cpu = {r: tallies[r].cpu for r in readers}
    for label, q in (("p50 ms", 50), ("p90 ms", 90), ("p99 ms", 99)):
        print(f"{label:<14}" + "".join(f"{1000 * statistics.quantiles(spread(r, times), n=100)[q - 1]:>10.1f}"
                                       if q != 50 else f"{1000 * statistics.median(spread(r, times)):>10.1f}"
                                       for r in readers))
    print(f"{'total s':<14}" + "".join(f"{sum(spread(r, times)):>10.1f}" for r in readers))
    print(f"{'total CPU s':<14}" + "".join(f"{sum(spread(r, cpu)):>10.1f}" for r in readers))
    print(f"{'photos/s':<14}" + "".join(f"{len(main) / sum(spread(r, times)):>10.1f}" for r in readers)
          + "   (photos / total time: the whole set, slow tail included)")
    if "ours" in readers and "zxing" in readers:
        ours = sum(tallies["ours"].hits[c] for c in positives)
        raw = max(1, sum(tallies["zxing"].hits[c] for c in positives))
        print(f"ours / raw zxing-cpp: decoded {ours / raw:.2f}x; throughput "
              f"{sum(spread('zxing', times)) / sum(spread('ours', times)):.2f}x; p90 "
              f"{statistics.quantiles(spread('ours', times), n=10)[-1] / statistics.quantiles(spread('zxing', times), n=10)[-1]:.2f}x")
    symbologies = sorted(tallies[readers[0]].by_symbology)
    if symbologies:
        print("by symbology (decoded/photos): " + "; ".join(
            f"{s} " + " ".join(f"{tallies[r].by_symbology[s][0]}/{tallies[r].by_symbology[s][1]}" for r in readers)
            for s in symbologies))
    extra = list(dict.fromkeys(p.condition for p in photos if p.extra))
    if extra:
        print(f"Extra conditions (multi: decoded = every code in the photo found):")
        print(header)
        for c in extra:
            print(f"{c + f' ({tallies[readers[0]].count[c]})':<14}"
                  + "".join(_pct(tallies[r].hits[c], tallies[r].count[c]) for r in readers))
        if "multi" in extra:
            print(f"{'multi codes':<14}" + "".join(f"{tallies[r].codes_found['multi']:>6d}/{tallies[r].codes_total['multi']:<3d}"
                                                   for r in readers))
        print(f"{'false pos.':<14}" + "".join(f"{sum(tallies[r].false_pos[c] for c in extra):>10d}" for r in readers))
        extra_times = {r: [t for c in extra for t in tallies[r].times[c]] for r in readers}
        for label, q in (("p50 ms", 50), ("p90 ms", 90)):
            print(f"{label:<14}" + "".join(f"{1000 * statistics.quantiles(extra_times[r], n=100)[q - 1]:>10.1f}"
                                           for r in readers))
    if failures:
        problems = Counter()
        for p, found in failures:
            problem = explain_image(p.jpeg).value if not found else "misread"
            problems[(p.condition, problem)] += 1
            if show_failures:
                print(f"  miss/wrong {p.name} [{p.condition}] {p.symbology} -> {found}; reply: {problem}")
        print("ours' misses by condition -> the reason the reply gives: "
              + "; ".join(f"{c}: {pr} x{n}" for (c, pr), n in sorted(problems.items())))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.barcodes")
    ap.add_argument("--set", choices=("team", "independent", "both"), default="both")
    ap.add_argument("--dir", type=Path, help="instead: a folder with photogen's manifest.jsonl")
    ap.add_argument("--seed", type=int, default=3, help="team set seed (1, 2, 11 were used for tuning; 3 reports)")
    ap.add_argument("--independent-seed", type=int, default=1, help="independent set seed")
    ap.add_argument("--per-condition", type=int, default=30, help="team set photos per condition")
    ap.add_argument("--no-extra", action="store_true", help="team set: only the original conditions")
    ap.add_argument("--readers", default="ours,zxing,pyzbar")
    ap.add_argument("--failures", action="store_true", help="list the photos ours missed or misread")
    args = ap.parse_args(argv)
    readers = args.readers.split(",")

    sets = []
    if args.dir:
        sets.append((f"folder {args.dir}", lambda: manifest_set(args.dir)))
    else:
        if args.set in ("team", "both"):
            sets.append((f"team set (bench/barcodes/generate.py, seed {args.seed}, {args.per_condition} per condition)",
                         lambda: team_set(args.seed, args.per_condition, extra=not args.no_extra)))
        if args.set in ("independent", "both"):
            sets.append((f"independent set (bench/barcodes/photogen, seed {args.independent_seed})",
                         lambda: manifest_set(independent_dir(args.independent_seed))))
    print(f"Barcode photos, readers {', '.join(readers)} on the same photos, one after the other; "
          "OpenCV on 1 thread")
    for title, load in sets:
        photos = load()
        tallies, failures = run_set(photos, readers)
        report(title, photos, tallies, readers, failures, args.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
