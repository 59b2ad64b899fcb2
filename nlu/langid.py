"""Language detection restricted to en, ru, bg, ro, zh.

Cheap signals first: the script (CJK, Cyrillic, Latin), letters only one of
the languages uses, and the word stems seen in each language's training data
(which also recognises Russian typed in Latin letters). Lingua decides only
when those are inconclusive."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from nlu.text import cyr2lat, fold, lat2cyr, script_counts

MODELS = Path(__file__).resolve().parent / "models"
_WORD = re.compile(r"[^\W\d_]+", re.U)
_RU_ONLY = set("ыэё")
_BG_ONLY = set("ѝ")
_RO_ONLY = set("ăâîșşțţ")


@lru_cache(maxsize=1)
def _stems() -> dict[str, frozenset[str]]:
    path = MODELS / "lang_stems.json"
    if not path.exists():
        return {}
    return {k: frozenset(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def _stem(word: str) -> str:
    return word[:5]


def _score(words: list[str], lang: str) -> float:
    stems = _stems().get(lang)
    if not stems:
        return 0.0
    return sum(1.0 for w in words if _stem(w) in stems)


def detect(text: str) -> str:
    lat, cyr, cjk = script_counts(text)
    if cjk and cjk * 2 >= lat:
        return "zh"
    low = text.lower()
    if cyr >= lat and cyr:
        if _RU_ONLY & set(low):
            return "ru"
        if _BG_ONLY & set(low):
            return "bg"
        words = _WORD.findall(fold(low))
        ru, bg = _score(words, "ru"), _score(words, "bg")
        if ru != bg:
            return "ru" if ru > bg else "bg"
        return _lingua(text, ("ru", "bg"))
    if not lat:
        return "en"
    if _RO_ONLY & set(low):
        return "ro"
    words = _WORD.findall(fold(low))
    en, ro = _score(words, "en"), _score(words, "ro")
    ru = _score(_WORD.findall(fold(lat2cyr(low)[0]).replace("ь", "")), "ru_lat")
    best = max(en, ro, ru)
    if best > 0:
        winners = [lang for lang, s in (("en", en), ("ro", ro), ("ru", ru)) if s == best]
        if len(winners) == 1:
            return winners[0]
    return _lingua(text, ("en", "ro"))


@lru_cache(maxsize=None)
def _detector(langs: tuple[str, ...]):
    """Lingua restricted to the candidates the script left open. Low-accuracy mode
    loads in a tenth of a second instead of seconds, and it only breaks ties."""
    from lingua import Language, LanguageDetectorBuilder

    names = {"en": Language.ENGLISH, "ru": Language.RUSSIAN, "bg": Language.BULGARIAN,
             "ro": Language.ROMANIAN, "zh": Language.CHINESE}
    return LanguageDetectorBuilder.from_languages(*(names[x] for x in langs)).with_low_accuracy_mode().build()


_CODES = {"ENGLISH": "en", "RUSSIAN": "ru", "BULGARIAN": "bg", "ROMANIAN": "ro", "CHINESE": "zh"}


def _lingua(text: str, prefer: tuple[str, ...]) -> str:
    found = _detector(prefer).detect_language_of(text)
    code = _CODES.get(found.name) if found is not None else None
    return code if code in prefer else prefer[0]


def stem_table(samples: dict[str, list[str]]) -> dict[str, list[str]]:
    """Builds the per-language stem sets from training texts (used by nlu.train).
    A stem that several languages share is dropped from all: it says nothing."""
    table: dict[str, set[str]] = {}
    for lang, texts in samples.items():
        stems: set[str] = set()
        for t in texts:
            for w in _WORD.findall(fold(t.lower())):
                if len(w) >= 2:
                    stems.add(_stem(w))
        table[lang] = stems
    if "ru" in samples:
        lat = set()
        for t in samples["ru"]:
            if re.search("[а-я]", t.lower()):
                for w in _WORD.findall(fold(lat2cyr(cyr2lat(t))[0]).replace("ь", "")):
                    if len(w) >= 3:
                        lat.add(_stem(w))
        table["ru_lat"] = lat
    shared_latin = table.get("en", set()) & table.get("ro", set())
    shared_cyr = table.get("ru", set()) & table.get("bg", set())
    for lang in ("en", "ro"):
        table[lang] = table.get(lang, set()) - shared_latin
    for lang in ("ru", "bg"):
        table[lang] = table.get(lang, set()) - shared_cyr
    # translit Russian competes with English and Romanian words
    en_lat = {s for s in table.get("en", set())} | {s for s in table.get("ro", set())}
    ru_lat = table.get("ru_lat", set())
    table["ru_lat"] = ru_lat - {_stem(fold(lat2cyr(s)[0])) for s in en_lat}
    return {k: sorted(v) for k, v in table.items()}
