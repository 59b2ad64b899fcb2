"""Scoring of parse results against a labelled JSONL set (the blind-set format).

Each gold line: {"id", "lang", "text", "now", "tz", "intent", "entities", ...}. Results are
the `qm parse --jsonl` output dicts, in the same order. Works on the output of any version
of the parser, so the first-run figures of the code before a change are taken the same way:

    python -m bench.nlu.score GOLD.jsonl RESULTS.jsonl [--threshold 0.55]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

NUMERIC = {"quantity", "amount"}
CASELESS = {"sku"}
# keys whose value is a fact, not a mention: producing one that is not annotated is an error worth counting
STRICT = {"quantity", "amount", "currency", "date", "datetime", "order_ref", "location", "from_location",
          "to_location", "phone", "stage"}


def read_jsonl(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})") from None
    return items


def same(key: str, want, got) -> bool:
    if got is None:
        return False
    if key in NUMERIC:
        try:
            return abs(float(want) - float(got)) < 1e-9
        except (TypeError, ValueError):
            return False
    if key in CASELESS:
        return str(want).strip().lower() == str(got).strip().lower()
    return str(want).strip() == str(got).strip()


def score(gold: list[dict], results: list[dict], threshold: float, errors: list[str] | None = None) -> dict:
    """Intent and entity accuracy, and what a dialogue that asks below `threshold` would do:
    act on a wrong intent without asking, or ask."""
    by_lang = defaultdict(lambda: [0, 0])
    by_intent = defaultdict(lambda: [0, 0])
    by_key = defaultdict(lambda: [0, 0])
    spurious = defaultdict(int)
    lang_ok = [0, 0]
    acted_wrong = asked = 0
    for it, r in zip(gold, results, strict=True):
        ok = r.get("intent") == it["intent"]
        # "sure" when the caller applied the whole rule (threshold and margin, nlu.confidence)
        sure = r["sure"] if "sure" in r else float(r.get("confidence", 0)) >= threshold
        acted_wrong += sure and not ok
        asked += not sure
        by_lang[it["lang"]][0] += ok
        by_lang[it["lang"]][1] += 1
        by_intent[it["intent"]][0] += ok
        by_intent[it["intent"]][1] += 1
        lang_ok[0] += r.get("lang") == it["lang"]
        lang_ok[1] += 1
        ents = r.get("entities") or {}
        if not ok and errors is not None:
            errors.append(f"  [{it['lang']}] {it['text']!r}: {r.get('intent')} {float(r.get('confidence', 0)):.2f} (want {it['intent']})")
        for key, want in (it.get("entities") or {}).items():
            hit = same(key, want, ents.get(key))
            by_key[key][0] += hit
            by_key[key][1] += 1
            if not hit and errors is not None:
                errors.append(f"  [{it['lang']}] {it['text']!r}: {key}={ents.get(key)!r} (want {want!r})")
        for key in ents:
            if key in STRICT and key not in (it.get("entities") or {}):
                spurious[key] += 1
    n = len(gold)
    return {"n": n, "lang": by_lang, "intent": by_intent, "key": by_key, "spurious": spurious, "lang_detect": lang_ok,
            "acted_wrong": acted_wrong / n if n else 0.0, "asked": asked / n if n else 0.0}


def pct(ok_total) -> str:
    ok, total = ok_total
    return f"{100 * ok / total:5.1f}% ({ok}/{total})" if total else "n/a"


def report(s: dict) -> str:
    lines = ["  intent: " + ", ".join(f"{lang} {pct(v)}" for lang, v in sorted(s["lang"].items()))]
    all_ok = sum(v[0] for v in s["lang"].values())
    lines.append(f"  intent all: {pct((all_ok, s['n']))}; language detection {pct(s['lang_detect'])}")
    lines.append(f"  acts on a wrong intent without asking: {100 * s['acted_wrong']:.1f}%; asks: {100 * s['asked']:.1f}%")
    ek = sum(v[0] for v in s["key"].values())
    en = sum(v[1] for v in s["key"].values())
    lines.append(f"  entities all: {pct((ek, en))}")
    lines.append("  per key: " + ", ".join(f"{k} {pct(v)}" for k, v in sorted(s["key"].items())))
    lines.append("  per intent: " + ", ".join(f"{k} {pct(v)}" for k, v in sorted(s["intent"].items())))
    lines.append("  keys given but not expected: " + (", ".join(f"{k} {v}" for k, v in sorted(s["spurious"].items())) or "none"))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.nlu.score", description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("results", type=Path)
    ap.add_argument("--threshold", type=float, default=0.55, help="confidence below which the dialogue asks")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    errors: list[str] = []
    s = score(read_jsonl(args.gold), read_jsonl(args.results), args.threshold, errors)
    print(report(s))
    if args.errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
