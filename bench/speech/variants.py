"""python -m bench.speech.variants: Whisper decoding options compared on the same notes, in one run.

    python -m bench.speech.variants --set bench/speech/blind/voice_A --set DIR_C --out OUT \\
        --variant now= --variant greedy=beam_size:1 --variant clean=preprocess:level+highpass

Each variant is the default WhisperOptions with some fields changed (field:value, comma-separated;
tuples as 0.0/0.2; a sample_prompt or hotwords, which may hold commas, last). The variants take turns note by note, so the machine's load falls on all of
them alike and their real-time factors compare. Each variant's transcripts go to OUT/NAME.json;
the figures (WER overall and by condition, intent, RTF) are printed per set for every variant in
OUT, so variants run in several processes are scored together. Without --rescue no hearing is judged,
so rescue_below never acts; with it the parser judges each one, as the bot does for a free note.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path

from bench.speech.__main__ import demo_vocabulary, load_set, score


def parse_variant(spec: str) -> tuple[str, dict]:
    from bot.speech.whisper_stt import WhisperOptions

    name, _, fields = spec.partition("=")
    kinds = {f.name: f.type for f in dataclasses.fields(WhisperOptions)}
    changed: dict = {}
    # a prompt or hotwords may hold commas: written last, it takes the rest of the spec
    for text_key in ("sample_prompt", "hotwords"):
        head, sep, rest = fields.partition(text_key + ":")
        if sep:
            changed[text_key] = rest.replace("_", " ")
            fields = head.rstrip(",")
    for item in filter(None, fields.split(",")):
        key, _, value = item.partition(":")
        kind = str(kinds[key])
        if "tuple[str" in kind:
            changed[key] = tuple(v for v in value.split("/") if v)
        elif "tuple" in kind:
            changed[key] = tuple(float(v) for v in value.split("/") if v)
        elif "bool" in kind:
            changed[key] = value.lower() in ("1", "true", "yes")
        elif value.lower() == "none":
            changed[key] = None
        elif "int" in kind:
            changed[key] = int(value)
        elif "float" in kind:
            changed[key] = float(value)
        else:
            changed[key] = value.replace("_", " ") if key in ("sample_prompt", "hotwords") else value
    return name, changed


def parser_judge():
    """How surely the parser understands a hearing (0..1): the bot's judge for a free note, which the rescue needs."""
    from nlu import parse

    def judge(text: str) -> float:
        return float(parse(text, lang="en").confidence) if text.strip() else 0.0

    judge("warm up")  # the parser's load is not the first note's recognition time
    return judge


def run(sets: list[tuple[Path, list[dict]]], variants: list[tuple[str, dict]], vocabulary: list[str], out: Path,
        rescue: bool = False) -> None:
    from bot.speech.audio import decode_pcm16k
    from bot.speech.registry import bundled_model_dir
    from bot.speech.whisper_stt import WhisperOptions, WhisperSpeechToText

    engines = {name: WhisperSpeechToText(bundled_model_dir(), ["en"], options=WhisperOptions(**changed))
               for name, changed in variants}
    for engine in engines.values():
        engine.loaded("en")
    judge = parser_judge() if rescue else None
    results: dict[str, list[dict]] = {name: [] for name in engines}
    for root, notes in sets:
        for note in notes:
            pcm = decode_pcm16k((root / note["file"]).read_bytes())
            for name, engine in engines.items():
                wall, cpu = time.perf_counter(), time.process_time()
                t = engine.transcribe_pcm(pcm, lang="en", vocabulary=vocabulary, score=judge)
                results[name].append({"set": root.name, "file": note["file"], "text": t.text, "raw": t.raw_text,
                                      "unsure": list(t.unsure), "seconds_audio": pcm.seconds,
                                      "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})
            print(f"{root.name}/{note['file']}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in results.items():
        options = dict(variants)[name]
        (out / f"{name}.json").write_text(json.dumps({"variant": name, "options": options, "results": rows}, ensure_ascii=False))


def report(sets: list[tuple[Path, list[dict]]], out: Path) -> None:
    from nlu import parse_many

    runs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))]
    for root, notes in sets:
        texts = sorted({("en", n["text"]) for n in notes} | {("en", r["text"]) for run in runs for r in run["results"]
                                                              if r["set"] == root.name})
        parsed = parse_many([{"text": t, "lang": lang} for lang, t in texts])
        intents = {k: p.intent for k, p in zip(texts, parsed, strict=True)}
        print(f"\n{root.name}: {len(notes)} notes")
        print(f"{'variant':14} {'WER':>6} {'intent':>6} {'clean':>6} {'noise':>6} {'phone':>6} {'reverb':>6} {'RTF':>5} {'cpuRTF':>6}  options")
        for run in runs:
            mine = [r for r in run["results"] if r["set"] == root.name]
            if len(mine) < len(notes):
                continue
            row = score({"results": mine}, notes, intents)["en"]
            by = row["wer_by_condition"]
            print(f"{run['variant']:14} {100 * row['wer']:5.1f}% {100 * row['intent']:5.1f}% "
                  + " ".join(f"{100 * by.get(c, 0):5.1f}%" for c in ("clean", "noise", "phone", "reverb"))
                  + f" {row['rtf']:5.2f} {row['cpu_rtf']:6.2f}  {json.dumps(run['options'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speech.variants", description=__doc__.split("\n")[0],
                                     epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, action="append", required=True, help="a rendered set (directory); repeatable")
    parser.add_argument("--variant", action="append", default=[], help="NAME=field:value,...; repeatable; none: only report")
    parser.add_argument("--out", type=Path, required=True, help="directory for each variant's transcripts")
    parser.add_argument("--takes", type=int, default=None, help="only the first N renderings of each sentence")
    parser.add_argument("--conditions", default=None, help="only the notes of these conditions (comma-separated: clean,noise,phone,reverb)")
    parser.add_argument("--rescue", action="store_true",
                        help="judge each hearing with the parser, as the bot does for a free note (rescue_below acts)")
    args = parser.parse_args(argv)
    sets = []
    for path in args.set:
        root, notes = load_set(path)
        notes = [n for n in notes if n["lang"] == "en"]
        if args.takes:
            notes = [n for n in notes if int(Path(n["file"]).stem.rsplit("-", 1)[1]) <= args.takes]
        if args.conditions:
            notes = [n for n in notes if n.get("condition") in args.conditions.split(",")]
        sets.append((root, notes))
    if args.variant:
        cache = args.out / "vocabulary.txt"
        if cache.is_file():
            vocabulary = cache.read_text(encoding="utf-8").splitlines()
        else:
            vocabulary = asyncio.run(demo_vocabulary())
            args.out.mkdir(parents=True, exist_ok=True)
            cache.write_text("\n".join(vocabulary), encoding="utf-8")
        run(sets, [parse_variant(v) for v in args.variant], vocabulary, args.out, args.rescue)
    report(sets, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
