"""The parser on messages typed in a hurry, every intent in every language (tests/nlu/shorthand_cases.py),
with the demo company's names as gazetteers. A statistical classifier may miss the odd one:
the intent must be right in at least 90% of each language's cases, and each entity kind may miss at most
one case (15% where it has many)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .shorthand_cases import CASES

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/Sofia"))
NAMES = Path(__file__).resolve().parents[2] / "bench" / "nlu" / "names_demo.json"
LANGS = ("en", "ru", "bg", "ro", "zh")


@pytest.fixture(scope="module")
def results():
    import json

    import nlu
    from nlu.names import Names

    names = Names(json.loads(NAMES.read_text(encoding="utf-8")))
    return [nlu.parse(text, now=NOW, names=names) for _, _, text, _ in CASES]


def test_the_cases_cover_every_intent_and_entity_kind_in_every_language():
    from nlu.intents import INTENTS

    for lang in LANGS:
        assert {c[1] for c in CASES if c[0] == lang} == set(INTENTS), lang
        kinds = {k for c in CASES if c[0] == lang for k in c[3]}
        assert {"customer", "quantity", "unit", "sku", "order_ref", "location", "from_location", "to_location",
                "phone", "stage", "amount", "currency"} <= kinds, lang


@pytest.mark.parametrize("lang", LANGS)
def test_intent_of_shorthand_and_typos(results, lang):
    mine = [(c, r) for c, r in zip(CASES, results) if c[0] == lang]
    wrong = [f"{c[2]!r}: {r.intent} (want {c[1]})" for c, r in mine if r.intent != c[1]]
    assert len(wrong) <= len(mine) * 0.1, wrong
    # a line of codes only ("B-02-01 = 14 WRI-012") is in no language: its intent is what counts
    other = [(c[2], r.lang) for c, r in mine if r.lang != lang]
    assert len(other) <= len(mine) * 0.1, other


def test_entities_of_shorthand_and_typos(results):
    by_key = defaultdict(lambda: [0, 0])
    misses = []
    for (lang, _, text, want), r in zip(CASES, results):
        for key, value in want.items():
            got = r.entities.get(key)
            ok = got == value or key == "sku" and str(got).lower() == str(value).lower()
            by_key[key][0] += ok
            by_key[key][1] += 1
            if not ok:
                misses.append(f"[{lang}] {text!r}: {key}={got!r} (want {value!r})")
    low = {k: f"{ok}/{n}" for k, (ok, n) in by_key.items() if n - ok > max(1, 0.15 * n)}
    assert not low, (low, misses)
