"""python -m bench.nlu — intent and entity accuracy on the held-out set, the
TF-IDF baseline, and `qm parse --jsonl` throughput and start-up (subprocess)."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.nlu.heldout import BLIND, NOW, load
from bench.nlu.score import read_jsonl, report, score

ROOT = Path(__file__).resolve().parents[2]
BLIND2 = Path(__file__).resolve().parent / "blind2"
LANGS = ("en", "ru", "bg", "ro", "zh")
TARGETS = {"en": 0.95, "ru": 0.95, "bg": 0.90, "ro": 0.90, "zh": 0.90}


def accuracy(items, show_errors: bool) -> dict:
    import nlu

    by_lang = defaultdict(lambda: [0, 0])
    by_intent = defaultdict(lambda: [0, 0])
    by_key = defaultdict(lambda: [0, 0])
    lang_ok = [0, 0]
    spurious = defaultdict(int)
    strict = {"quantity", "amount", "currency", "date", "datetime", "order_ref", "location", "from_location",
              "to_location", "phone", "stage"}
    errors = []
    for it in items:
        r = nlu.parse(it["text"], now=NOW)
        lang_ok[0] += r.lang == it["lang"]
        lang_ok[1] += 1
        ok = r.intent == it["intent"]
        by_lang[it["lang"]][0] += ok
        by_lang[it["lang"]][1] += 1
        by_intent[it["intent"]][0] += ok
        by_intent[it["intent"]][1] += 1
        if not ok:
            errors.append(f"  [{it['lang']}] {it['text']!r}: {r.intent} (want {it['intent']})")
        for key, want in it["entities"].items():
            got = r.entities.get(key)
            hit = got == want
            by_key[key][0] += hit
            by_key[key][1] += 1
            if not hit:
                errors.append(f"  [{it['lang']}] {it['text']!r}: {key}={got!r} (want {want!r})")
        for key in r.entities:
            if key in strict and key not in it["entities"]:
                spurious[key] += 1
    if show_errors:
        print("errors:\n" + "\n".join(errors))
    return {"lang": by_lang, "intent": by_intent, "key": by_key, "lang_detect": lang_ok, "spurious": spurious}


def baseline(items) -> dict:
    from bench.nlu.baseline import TfidfNearest

    out = {}
    for lang in LANGS:
        model = TfidfNearest(lang)
        mine = [it for it in items if it["lang"] == lang]
        out[lang] = sum(model.predict(it["text"]) == it["intent"] for it in mine) / len(mine)
    return out


def _run_cli(path: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user+system) of one `qm parse --jsonl` run."""
    import resource

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "bot", "parse", "--jsonl", path], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"qm parse failed: {p.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def throughput(items, n: int) -> dict:
    lines = [json.dumps({"text": it["text"], "now": NOW.isoformat()}, ensure_ascii=False) for it in items]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp, "big.jsonl")
        big.write_text("\n".join(lines[i % len(lines)] for i in range(n)) + "\n", encoding="utf-8")
        one = Path(tmp, "one.jsonl")
        one.write_text(lines[0] + "\n", encoding="utf-8")
        startup, startup_cpu = min(_run_cli(str(one)) for _ in range(3))
        total, total_cpu = min(_run_cli(str(big)) for _ in range(2))
    return {"n": n, "seconds": total, "per_s": n / total, "startup_s": startup, "cpu_s": total_cpu,
            "startup_cpu_s": startup_cpu}


def _spread(values: list[float]) -> str:
    v = sorted(values)
    return f"min {v[0]:.2f} / median {v[len(v) // 2]:.2f} / max {v[-1]:.2f}"


def speed(items: list[dict], n: int, runs: int = 3) -> int:
    """`qm parse --jsonl` start-up (one line, process start to exit) and lines/s after start-up
    (n lines minus the median start-up), `runs` runs each, and the TF-IDF 1-NN baseline's
    build time and lines/s in the same run (in-process, a few hundred lines: it is slow)."""
    import statistics

    from bench.nlu.baseline import TfidfNearest

    lines = [json.dumps({"text": it["text"], "now": it.get("now") or NOW.isoformat()}, ensure_ascii=False) for it in items]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp, "big.jsonl")
        big.write_text("\n".join(lines[i % len(lines)] for i in range(n)) + "\n", encoding="utf-8")
        one = Path(tmp, "one.jsonl")
        one.write_text(lines[0] + "\n", encoding="utf-8")
        start_runs = [_run_cli(str(one)) for _ in range(runs)]
        totals = [_run_cli(str(big)) for _ in range(runs)]
    starts = [wall for wall, _ in start_runs]
    start, start_cpu = statistics.median(starts), statistics.median(cpu for _, cpu in start_runs)
    rates = [n / max(total - start, 1e-9) for total, _ in totals]
    # CPU seconds do not grow when other work shares the cores: the figure to compare on a busy machine
    per_cpu = [n / max(cpu - start_cpu, 1e-9) for _, cpu in totals]
    print(f"qm parse --jsonl, {n} lines, {runs} runs (load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")
    print(f"  start-up s: {_spread(starts)}  (target <= 1 s: {'ok' if start <= 1 else 'MISSED'})")
    print(f"  lines/s after start-up: {_spread(rates)}  (target >= 1500: {'ok' if statistics.median(rates) >= 1500 else 'MISSED'})")
    print(f"  start-up CPU s: {_spread([cpu for _, cpu in start_runs])}")
    print(f"  lines per CPU-second after start-up: {_spread(per_cpu)}")
    sample = [it for it in items][: min(300, len(items))]
    builds, brates = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        models = {lang: TfidfNearest(lang) for lang in sorted({it["lang"] for it in sample})}
        builds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for it in sample:
            models[it["lang"]].predict(it["text"])
        brates.append(len(sample) / (time.perf_counter() - t0))
    print(f"TF-IDF 1-NN baseline, same run, in-process: build s {_spread(builds)}; lines/s {_spread(brates)} ({len(sample)} lines)")
    return 0


def labelled_sets(paths: list[Path]) -> list[tuple[str, list[dict]]]:
    """JSONL sets in the blind-set format (bench/nlu/score.py): each path a file or a folder of *.jsonl."""
    out = []
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if not files:
            raise SystemExit(f"no .jsonl files in {path}")
        items = [it for f in files for it in read_jsonl(f)]
        out.append((str(path), items))
    return out


def run_set(items: list[dict], threshold: float, show_errors: bool) -> dict:
    """Parses every line as the bot would (language detected, now and tz of the line) and scores it."""
    import nlu
    from datetime import datetime

    batch = [{"text": it["text"], "now": datetime.fromisoformat(it["now"]) if it.get("now") else NOW,
              "tz": it.get("tz")} for it in items]
    from nlu.confidence import is_sure

    results = []
    for r in nlu.parse_many(batch):
        d = r.to_dict()
        d["sure"] = is_sure(r.confidence, r.alternatives[1][1] if len(r.alternatives) > 1 else 0.0, threshold)
        results.append(d)
    errors: list[str] = []
    s = score(items, results, threshold, errors)
    if show_errors:
        print("\n".join(errors))
    return s


def _pct(ok_total) -> str:
    ok, total = ok_total
    return f"{100 * ok / total:5.1f}% ({ok}/{total})" if total else "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list every miss")
    ap.add_argument("-n", type=int, default=5000, help="lines fed to qm parse --jsonl (default 5000)")
    ap.add_argument("--set", dest="sets", action="append", type=Path, metavar="PATH",
                    help="a labelled JSONL set (file or folder of *.jsonl; repeatable); default bench/nlu/blind2")
    ap.add_argument("--sets-only", action="store_true", help="only the --set figures (no held-out, no throughput)")
    ap.add_argument("--names", type=Path, default=Path(__file__).resolve().parent / "names_demo.json",
                    help="the company's names for the gazetteers (default: the demo company's, bench/nlu/names_demo.json)")
    ap.add_argument("--speed", action="store_true",
                    help="only qm parse start-up and lines/s (3 runs, min/median/max) with the TF-IDF baseline")
    args = ap.parse_args(argv)
    os.environ["QM_NLU_NAMES"] = str(args.names)  # read by nlu.names, here and in the qm parse subprocesses
    if args.speed:
        return speed([it for _, its in labelled_sets(args.sets or [BLIND2]) for it in its], args.n)
    from nlu.confidence import ASK_BELOW

    for name, items in labelled_sets(args.sets or [BLIND2]):
        t0 = time.perf_counter()
        s = run_set(items, ASK_BELOW, args.errors)
        base = {}
        for lang in sorted({it["lang"] for it in items}):
            from bench.nlu.baseline import TfidfNearest

            model = TfidfNearest(lang)
            mine = [it for it in items if it["lang"] == lang]
            base[lang] = sum(model.predict(it["text"]) == it["intent"] for it in mine) / len(mine)
        print(f"set {name}: {len(items)} messages ({time.perf_counter() - t0:.1f} s)")
        print(report(s))
        print("  intent, TF-IDF 1-NN baseline: " + ", ".join(f"{lang} {100 * v:.1f}%" for lang, v in base.items()))
        print("  targets: intent en/ru >=95%, bg/ro/zh >=92%; entities >=92% per key; wrong without asking <=1%; asks <=10%\n")
    if args.sets_only:
        return 0
    items = load()
    print(f"held-out set: {len(items)} messages, {len({it['intent'] for it in items})} intents, {len(LANGS)} languages")
    t0 = time.perf_counter()
    acc = accuracy(items, args.errors)
    print(f"(in-process parse of the set took {time.perf_counter() - t0:.1f} s including model loads)")
    base = baseline(items)
    print("\nintent accuracy per language      quartermaster     TF-IDF 1-NN   ratio  target")
    for lang in LANGS:
        ok, total = acc["lang"][lang]
        mine = ok / total
        print(f"  {lang:30s} {_pct(acc['lang'][lang]):>17s}   {100 * base[lang]:9.1f}%   {mine / base[lang] if base[lang] else float('inf'):5.2f}  "
              f">={100 * TARGETS[lang]:.0f}% {'ok' if mine >= TARGETS[lang] else 'MISSED'}")
    all_ok = sum(v[0] for v in acc["lang"].values())
    all_n = sum(v[1] for v in acc["lang"].values())
    base_all = sum(base[lang] * acc["lang"][lang][1] for lang in LANGS) / all_n
    print(f"  {'all':30s} {_pct((all_ok, all_n)):>17s}   {100 * base_all:9.1f}%   {(all_ok / all_n) / base_all:5.2f}")
    print(f"  language detection (lang=None): {_pct(acc['lang_detect'])}")
    print("\nintent accuracy per intent")
    for intent, v in sorted(acc["intent"].items()):
        print(f"  {intent:22s} {_pct(v)}")
    print("\nentity accuracy per key (exact value)")
    for key, v in sorted(acc["key"].items()):
        print(f"  {key:16s} {_pct(v)}")
    ek = sum(v[0] for v in acc["key"].values())
    en = sum(v[1] for v in acc["key"].values())
    print(f"  {'all':16s} {_pct((ek, en))}  target >=90% {'ok' if ek / en >= 0.9 else 'MISSED'}")
    print("  keys given but not expected: " + (", ".join(f"{k} {v}" for k, v in sorted(acc["spurious"].items())) or "none"))
    blind = load(folder=BLIND)
    b = accuracy(blind, args.errors)
    bk = (sum(v[0] for v in b["key"].values()), sum(v[1] for v in b["key"].values()))
    bb = baseline(blind)
    print(f"\nblind set ({len(blind)} messages written after the first version; see docs/benchmarks.md for its first-run figures)")
    print("  intent: " + ", ".join(f"{lang} {_pct(b['lang'][lang])} (TF-IDF {100 * bb[lang]:.0f}%)" for lang in LANGS))
    print(f"  entities: {_pct(bk)}; language detection: {_pct(b['lang_detect'])}")
    tp = throughput(items, args.n)
    print(f"\nqm parse --jsonl: {tp['n']} lines in {tp['seconds']:.2f} s including start-up = {tp['per_s']:.0f} utterances/s "
          f"(target >=1000 {'ok' if tp['per_s'] >= 1000 else 'MISSED'})")
    print(f"  CPU time of that run: {tp['cpu_s']:.2f} s = {tp['n'] / tp['cpu_s']:.0f} utterances per CPU-second "
          f"(wall > CPU means the machine was busy with other work; load average now {os.getloadavg()[0]:.1f})")
    print(f"start-up (one line, process start to exit): {tp['startup_s']:.2f} s wall, {tp['startup_cpu_s']:.2f} s CPU "
          f"(target <=3 s {'ok' if tp['startup_s'] <= 3 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
