"""Language detection restricted to en, ru, bg, ro, zh.

Cheap signals first: the script (CJK, Cyrillic, Latin), letters only one of
the languages uses, endings typical of one of them, and the words and stems
seen in each language's training data and lexicon (which also recognises
Russian typed in Latin letters). Lingua decides only when those are
inconclusive."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from nlu.text import bg_latin_to_cyr, cyr2lat, fold, lat2cyr, script_counts

MODELS = Path(__file__).resolve().parent / "models"
_WORD = re.compile(r"[^\W\d_]+", re.U)
_RU_ONLY = set("ыэё")
_BG_ONLY = set("ѝ")
_RO_ONLY = set("ăâîșşțţ")
# endings one of the two Cyrillic languages uses and the other (almost) never
_RU_END = re.compile(r"(?:ов|ый|ий|ой|ого|ему|ать|ять|ить|еть|ться|тся|ешь|ишь|ых|их|ую|юю)$")
_BG_END = re.compile(r"(?:ът|ят|ите|ото|ета|ия|ище|ване|ене|ах|ях|аха|яха)$")
_RU_TRANSLIT = str.maketrans({"ь": "", "ъ": "", "ы": "и", "й": "и", "щ": "ш", "э": "е"})


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, frozenset[str]]]:
    path = MODELS / "lang_words.json"
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {kind: {lang: frozenset(v) for lang, v in per.items()} for kind, per in raw.items()}


def known_words(lang: str) -> frozenset[str]:
    """Words of the language's templates and lexicon (not the sample names)."""
    return _table().get("known", {}).get(lang, frozenset())


def _score(words: list[str], lang: str) -> float:
    t = _table()
    if not t:
        return 0.0
    full, stems = t["words"].get(lang, ()), t["stems"].get(lang, ())
    return sum(2.0 if w in full else (1.0 if w[:5] in stems else 0.0) for w in words)


def _translit_words(low: str) -> list[str]:
    return [w.translate(_RU_TRANSLIT) for w in _WORD.findall(fold(lat2cyr(low)[0]))]


_CODEISH = re.compile(r"[A-Za-z0-9./#№=>+-]*\d[A-Za-z0-9./#№=>+-]*|(?<![\w-])(?:dock-?in|dock-?out|quarantine|MAIN|NORTH|EAST)(?![\w-])", re.I)


def detect(text: str) -> str:
    # codes (WID-001, A-01-02, PO-0012) and place codes are in no language: leave them out
    text = _CODEISH.sub(" ", text)
    lat, cyr, cjk = script_counts(text)
    if cjk >= 2 or cjk and cjk * 2 >= lat:
        return "zh"  # Latin names and codes inside Chinese are still Chinese
    low = text.lower()
    if cyr >= 3 and cyr * 3 >= lat or cyr >= lat and cyr:  # so are Latin names inside Cyrillic
        if _RU_ONLY & set(low):
            return "ru"
        if _BG_ONLY & set(low):
            return "bg"
        words = _WORD.findall(fold(low))
        ru, bg = _score(words, "ru"), _score(words, "bg")
        ru += sum(0.5 for w in words if len(w) > 3 and _RU_END.search(w))
        bg += sum(0.5 for w in words if len(w) > 3 and _BG_END.search(w))
        bg += sum(1.0 for w in words if "ъ" in w[:-1])   # a mid-word ъ is Bulgarian
        if ru != bg:
            return "ru" if ru > bg else "bg"
        return _lingua(text, ("ru", "bg"))
    if not lat:
        return "en"
    if _RO_ONLY & set(low):
        return "ro"
    words = _WORD.findall(fold(low))
    en, ro = _score(words, "en"), _score(words, "ro")
    ru = _score(_translit_words(low), "ru_lat")
    # Bulgarian typed in Latin letters, read back in Cyrillic: only words no Russian writer uses count
    # (one such word alone is no evidence: "500 lei" reads as the Bulgarian "леи" too)
    bg = _score(_WORD.findall(fold(bg_latin_to_cyr(low)[0])), "bg")
    bg = bg if bg >= 3 else 0.0
    best = max(en, ro, ru, bg)
    if best > 0:
        winners = [lang for lang, s in (("en", en), ("ro", ro), ("ru", ru), ("bg", bg)) if s == best]
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


def word_table(samples: dict[str, list[str]], known: dict[str, list[str]]) -> dict:
    """Builds the per-language word and stem sets (used by nlu.train) from the
    expanded training texts and the template+lexicon words. Whatever two
    competing languages share is dropped from both: it says nothing."""
    words: dict[str, set[str]] = {}
    for lang, texts in samples.items():
        words[lang] = {w for t in texts for w in _WORD.findall(fold(t.lower())) if len(w) >= 2}
        words[lang] |= {w for t in known.get(lang, []) for w in _WORD.findall(fold(t.lower())) if len(w) >= 2}
    if "ru" in words:
        cyr = [w for w in words["ru"] if re.search("[а-я]", w)]
        words["ru_lat"] = {w2 for w in cyr for w2 in _translit_words(cyr2lat(w)) if len(w2) >= 3}
    stems = {lang: {w[:5] for w in ws} for lang, ws in words.items()}

    def exclusive(table, groups):
        out = {}
        for group in groups:
            for lang in group:
                if lang not in table:
                    continue
                others = set().union(*(table[o] for o in group if o != lang and o in table))
                out[lang] = table[lang] - others
        return out

    # a Latin word could be English, Romanian or Russian in Latin letters; compare like with like
    latin = {"en": words.get("en", set()), "ro": words.get("ro", set())}
    ru_as_latin = {w2 for w in latin["en"] | latin["ro"] for w2 in _translit_words(w)}
    words_lat = dict(latin, ru_lat=words.get("ru_lat", set()) - ru_as_latin)
    stems_lat = {"en": stems.get("en", set()), "ro": stems.get("ro", set()),
                 "ru_lat": {w[:5] for w in words_lat["ru_lat"]} - {w[:5] for w in ru_as_latin}}
    groups = [("en", "ro"), ("ru", "bg")]
    w_out = exclusive(words, groups)
    s_out = exclusive(stems, groups)
    w_out["ru_lat"], s_out["ru_lat"] = words_lat["ru_lat"], stems_lat["ru_lat"]
    for lang in ("en", "ro"):
        w_out[lang] -= words_lat["ru_lat"]
    return {"words": {k: sorted(v) for k, v in w_out.items()},
            "stems": {k: sorted(v) for k, v in s_out.items()},
            "known": {k: sorted({w for t in v for w in _WORD.findall(fold(t.lower()))}) for k, v in known.items()}}
