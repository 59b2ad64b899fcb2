"""python -m bench.speech: speech-to-text accuracy, speed and memory on a spoken set.

    python -m bench.speech                                   # the committed blind set A (bench/speech/blind/voice_A)
    python -m bench.speech --set DIR                         # a set rendered by python -m bench.speech.render
    python -m bench.speech --set sentences.jsonl             # render it first (needs the TTS packages), then measure

Engines, each in a process of its own (so load time and peak memory are its own):
  whisper            the default: faster-whisper, bundled tiny.en; the demo company's names put misheard names right
  pocketsphinx-raw   pocketsphinx's general US English model (the old baseline)
  pocketsphinx       pocketsphinx with the domain language model (the old default)
  text               no speech: the sentence as typed (the ceiling nlu.parse sets for intent)

Figures per engine and language:
  WER        word error rate; both sides lower-cased, punctuation and fillers (uh, um) dropped, spoken numbers as digits
  intent     share whose nlu.parse intent equals the set's label
  kept       share whose nlu.parse intent equals that of the typed sentence (what speech loses)
  RTF        recognition wall seconds per second of audio (decoding the OGG excluded); cpuRTF the same in CPU seconds
  load       seconds to load the engine (first model load in a fresh process)
  RSS        peak resident memory of the engine's process, MB
  unsure     Whisper only: share of the words it marks unsure that are wrong (precision), and of wrong words it marks (recall)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz.distance import Levenshtein

HERE = Path(__file__).resolve().parent
DEFAULT_SET = HERE / "blind" / "voice_A"
ENGINES = ("whisper", "pocketsphinx-raw", "pocketsphinx")
FILLERS = {"uh", "um", "er", "ah", "hmm", "mm", "erm", "э", "ээ", "эм", "мм"}


def words(text: str, lang: str) -> list[str]:
    from bot.speech.normalise import normalise_spoken

    text = normalise_spoken(text, lang).lower().replace("ё", "е")
    return [w for w in re.split(r"[^\w]+", text) if w and w not in FILLERS]


def load_set(path: Path) -> tuple[Path, list[dict]]:
    if path.is_dir():
        manifest = path / "manifest.jsonl"
        if not manifest.is_file():
            raise SystemExit(f"{path} has no manifest.jsonl: render it with python -m bench.speech.render")
        return path, [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    from bench.speech.render import read_sentences, render

    out = Path(tempfile.mkdtemp(prefix="qm-speech-set-"))
    print(f"rendering {path} into {out} ...", flush=True)
    render(read_sentences(path), out)
    return load_set(out)


async def demo_vocabulary() -> list[str]:
    """The names the bot would pass on the demo company: a throwaway SQLite database seeded with it."""
    from bot.app import open_services
    from bot.settings import load_settings
    from bot.speech.vocabulary import speech_vocabulary

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(database={"url": f"sqlite+aiosqlite:///{tmp}/vocab.sqlite3"})
        services = await open_services(settings, seed_if_empty=True, with_nlu=False)
        try:
            async with services.uow() as uow:
                return await speech_vocabulary(uow.session)
        finally:
            await services.engine.dispose()


def measure(engines: list[str], root: Path, notes: list[dict], vocabulary: list[str]) -> list[dict]:
    """All engines at once, each in a spawned process (on a shared machine waiting for one
    after the other takes longer than the figures are worth; CPU-time RTF is unaffected)."""
    from bench.speech.worker import run_engine

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=run_engine, args=(name, str(root), notes, vocabulary, queue)) for name in engines]
    for proc in procs:
        proc.start()
    done = {}
    for _ in procs:
        out = queue.get()
        done[out["engine"]] = out
        print(f"  {out['engine']} done", flush=True)
    for proc in procs:
        proc.join()
    return [done[name] for name in engines]


def score(run: dict, notes: list[dict], intents: dict[tuple[str, str], str]) -> dict[str, dict]:
    by_file = {r["file"]: r for r in run["results"]}
    table: dict[str, dict] = {}
    for lang in sorted({n["lang"] for n in notes}):
        acc = defaultdict(float)
        acc_cond: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        worst = []
        for note in (n for n in notes if n["lang"] == lang):
            r = by_file.get(note["file"])
            if r is None or "text" not in r:
                continue
            ref, hyp = words(note["text"], lang), words(r["text"], lang)
            errors = Levenshtein.distance(ref, hyp)
            acc["notes"] += 1
            acc["errors"] += errors
            acc["words"] += len(ref)
            acc_cond[note["condition"]][0] += errors
            acc_cond[note["condition"]][1] += len(ref)
            acc["audio"] += r["seconds_audio"]
            acc["wall"] += r["wall"]
            acc["cpu"] += r["cpu"]
            said = intents[(lang, r["text"])]
            acc["intent"] += said == note.get("intent")
            acc["kept"] += said == intents[(lang, note["text"])]
            if r.get("unsure") is not None:
                unsure = {u.lower() for u in r["unsure"]}
                wrong = _wrong_words(ref, hyp)
                flagged = [i for i, w in enumerate(hyp) if w in unsure]
                acc["flagged"] += len(flagged)
                acc["flagged_wrong"] += sum(1 for i in flagged if i in wrong)
                acc["wrong"] += len(wrong)
                acc["wrong_flagged"] += sum(1 for i in wrong if hyp[i] in unsure)
            if errors:
                worst.append((errors / max(1, len(ref)), note["text"], r["text"]))
        if not acc["notes"]:
            missing = [r.get("error") for r in run["results"] if r.get("error")]
            table[lang] = {"notes": 0, "not_measured": missing[0] if missing else "no model for this language"}
            continue
        n = acc["notes"]
        table[lang] = {
            "notes": int(n), "wer": acc["errors"] / acc["words"], "intent": acc["intent"] / n, "kept": acc["kept"] / n,
            "rtf": acc["wall"] / acc["audio"], "cpu_rtf": acc["cpu"] / acc["audio"],
            "unsure_precision": acc["flagged_wrong"] / acc["flagged"] if acc["flagged"] else None,
            "unsure_recall": acc["wrong_flagged"] / acc["wrong"] if acc["wrong"] else None,
            "wer_by_condition": {c: e / w for c, (e, w) in sorted(acc_cond.items()) if w},
            "worst": sorted(worst, reverse=True)[:5],
        }
    return table


def _wrong_words(ref: list[str], hyp: list[str]) -> set[int]:
    """Positions of hypothesis words that are not an exact match in the alignment."""
    right = set()
    for op in Levenshtein.opcodes(ref, hyp):
        if op.tag == "equal":
            right.update(range(op.dest_start, op.dest_end))
    return set(range(len(hyp))) - right


def dump_notes(path: Path, runs: list[dict], notes: list[dict], intents: dict[tuple[str, str], str]) -> None:
    """One line per engine and note: what was said and heard, both intents, the label (for reading errors)."""
    by_file = {n["file"]: n for n in notes}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for run in runs:
            for r in run["results"]:
                note = by_file[r["file"]]
                row = {"engine": run["engine"], "file": r["file"], "condition": note.get("condition"), "voice": note.get("voice"),
                       "label": note.get("intent"), "said": note["text"], "heard": r.get("text"), "raw": r.get("raw"), "error": r.get("error"),
                       "said_intent": intents.get((note["lang"], note["text"])),
                       "heard_intent": intents.get((note["lang"], r["text"])) if "text" in r else None,
                       "unsure": r.get("unsure")}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{100 * x:5.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speech", description=__doc__.split("\n")[0],
                                     epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="a rendered set (directory) or a sentences file (.jsonl)")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--lang", default=None, help="only the notes in this language")
    parser.add_argument("--takes", type=int, default=None, help="only the first N renderings of each sentence")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--dump", type=Path, default=None, help="also write every note's transcript and intents (JSON lines) to this file")
    parser.add_argument("--show-errors", type=int, default=3, help="worst transcriptions to print per engine and language")
    args = parser.parse_args(argv)

    root, notes = load_set(args.set)
    if args.lang:
        notes = [n for n in notes if n["lang"] == args.lang]
    if args.takes:
        notes = [n for n in notes if int(Path(n["file"]).stem.rsplit("-", 1)[1]) <= args.takes]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            parser.error(f"unknown engine {e}")
    vocabulary = asyncio.run(demo_vocabulary())
    langs = sorted({n["lang"] for n in notes})
    per_lang = ", ".join(f"{sum(n['lang'] == lang for n in notes)} {lang}" for lang in langs)
    print(f"set {root}: {len(notes)} voice notes ({per_lang}), "
          f"{len({n['id'] for n in notes})} sentences; vocabulary: {len(vocabulary)} demo-company names")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (shared, noisy: compare engines within one run)", flush=True)

    print(f"  running {', '.join(engines)} side by side ...", flush=True)
    runs = measure(engines, root, notes, vocabulary)

    from nlu import parse_many

    texts = {(n["lang"], n["text"]) for n in notes} | {(n["lang"], r["text"]) for run in runs for r in run["results"]
                                                       if "text" in r for n in notes if n["file"] == r["file"]}
    keys = sorted(texts)
    parsed = parse_many([{"text": t, "lang": lang} for lang, t in keys])
    intents = {k: p.intent for k, p in zip(keys, parsed, strict=True)}
    typed = {"engine": "text", "load_seconds": 0.0, "rss_mb": None,
             "results": [{"file": n["file"], "text": n["text"], "seconds_audio": 1.0, "wall": 0.0, "cpu": 0.0} for n in notes]}

    report = []
    print()
    print(f"{'engine':17} {'lang':4} {'notes':>5} {'WER':>6} {'intent':>6} {'kept':>6} {'RTF':>5} {'cpuRTF':>6} {'load s':>6} {'RSS MB':>6}")
    for run in [*runs, typed]:
        table = score(run, notes, intents)
        report.append({"engine": run["engine"], "load_seconds": round(run["load_seconds"], 2),
                       "rss_mb": run["rss_mb"] and round(run["rss_mb"]), "by_lang": {
                           lang: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items() if k != "worst"}
                           for lang, row in table.items()}})
        for lang, row in table.items():
            if not row["notes"]:
                print(f"{run['engine']:17} {lang:4}     0   not measured: {row['not_measured']}")
                continue
            text = run["engine"] == "text"
            print(f"{run['engine']:17} {lang:4} {row['notes']:5} {_pct(None if text else row['wer'])} {_pct(row['intent'])} "
                  f"{_pct(None if text else row['kept'])} "
                  + ("    -      -      -      -" if text else
                     f"{row['rtf']:5.2f} {row['cpu_rtf']:6.2f} {run['load_seconds']:6.2f} {run['rss_mb']:6.0f}"))
    print()
    for run in runs:
        for lang, row in score(run, notes, intents).items():
            if not row["notes"]:
                continue
            extra = ""
            if row["unsure_precision"] is not None or row["unsure_recall"] is not None:
                extra = f"; unsure words: {_pct(row['unsure_precision']).strip()} of those marked are wrong, " \
                        f"{_pct(row['unsure_recall']).strip()} of wrong words marked"
            print(f"{run['engine']:17} {lang}: WER by condition " + ", ".join(f"{c} {_pct(w).strip()}" for c, w in row["wer_by_condition"].items()) + extra)
            for _, ref, hyp in row["worst"][: args.show_errors]:
                print(f"    said {ref!r}\n    got  {hyp!r}")
    if args.dump:
        dump_notes(args.dump, runs, notes, intents)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"set": str(args.set), "notes": len(notes), "engines": report}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
