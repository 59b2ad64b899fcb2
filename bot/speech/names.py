"""Names the recogniser misheard, put right against the company's own (customers,
suppliers, products, people: the vocabulary the caller passes in).

Whisper writes a name it has never heard as whatever it sounds like ("Perrin
hotels", "Vitashaprant", "Nessa bar resorts"). A run of one to four heard words
is compared with every known name twice: by its letters and by how it sounds
(Metaphone keys, jellyfish), spaces ignored; a run close enough on both becomes
the name. Guards keep ordinary speech alone: a known name heard exactly is kept
as is, a run may not begin or end with a small word ("for", "the") that is not
part of the name, a name never adds or changes a number, one word is never
swapped for another single word, and short names must match more closely.

    fix_names("called perrin hotels about the desks", ["Pirin Hotels"])
    -> ("called Pirin Hotels about the desks", [("perrin hotels", "Pirin Hotels")])
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz, process

from .numbers import TEENS, TENS, UNITS

# Legal forms a name carries and speech drops ("Initech EOOD" is said "Initech").
_LEGAL = {"ltd", "llc", "inc", "co", "corp", "corporation", "company", "gmbh", "plc", "srl", "sa", "ood", "eood", "ad",
          "et", "bg"}
# Words that begin or end a run only when the name itself has them at that end.
_SMALL = {"a", "an", "the", "for", "with", "to", "from", "at", "of", "and", "or", "in", "on", "about", "is", "are", "was",
          "we", "they", "them", "it", "i", "me", "my", "our", "us", "you", "he", "she", "his", "her", "their", "by",
          "that", "this", "some", "any", "so", "but", "please", "new", "order", "call", "called", "bin"}
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
MAX_WORDS = 4
# A number said in words is a number: a name never swallows one ("ten boxes" is no "carton boxes").
_NUMBER_WORDS = {*UNITS, *TEENS, *filter(None, TENS), "hundred", "thousand", "dozen", "half"}


def _singular(word: str) -> str:
    """'chairs' -> 'chair', 'boxes' -> 'box', 'supplies' -> 'supply': a plural is the same name said of several."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _plain(text: str) -> str:
    """Accents off, lower case: 'Cafés' -> 'cafes'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def in_script_of(text: str, lang: str) -> bool:
    """Whether a model for `lang` could write `text`: for English, Latin letters (accents aside)."""
    return lang != "en" or all(c.isascii() for c in _plain(text))


def _key(words: Sequence[str]) -> str:
    return "".join(jellyfish.metaphone(w) for w in words if w.isalpha())


@dataclass(frozen=True, slots=True)
class Known:
    name: str  # as the database writes it
    words: tuple[str, ...]  # its spoken words: plain, legal forms dropped
    letters: str
    key: str
    said: str  # the name as written without its legal form at either end ("Globex Corporation" -> "Globex")


def _without_legal(name: str) -> str:
    """The name's own spelling from its first to its last word that is not a legal form."""
    spans = [m for m in _WORD.finditer(name) if _plain(m.group(0)) not in _LEGAL]
    return name[spans[0].start():spans[-1].end()] if spans else name


@dataclass(frozen=True, slots=True)
class Index:
    known: tuple[Known, ...]
    letters: tuple[str, ...]  # known[i].letters, for rapidfuzz's batch search
    exact: frozenset[tuple[str, ...]]  # every name's spoken words, each in the singular


@lru_cache(maxsize=32)
def _index(names: tuple[str, ...]) -> Index:
    out: list[Known] = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        if not in_script_of(name, "en"):  # the English model writes Latin letters: a Cyrillic name never matches
            continue
        words = _WORD.findall(_plain(name))
        core = tuple(w for w in words if w not in _LEGAL) or tuple(words)
        letters = "".join(core)
        if not core or len(core) > MAX_WORDS or sum(c.isalpha() for c in letters) < 5:
            continue
        out.append(Known(name, core, letters, _key(core), _without_legal(name)))
    return Index(tuple(out), tuple(k.letters for k in out), frozenset(tuple(map(_singular, k.words)) for k in out))


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _close(heard: Sequence[str], known: Known) -> float:
    """0..100: how alike, by letters and by sound; 0 when either is too far."""
    letters = "".join(heard)
    if _digits(letters) != _digits(known.letters):  # never adds or changes a number ("80g", "M10x50")
        return 0.0
    by_letters = fuzz.ratio(letters, known.letters)
    by_sound = fuzz.ratio(_key(heard), known.key) if known.key else by_letters
    # a short name needs a closer match: one letter off is a lot of "Lotus"
    need = 78 if len(known.letters) >= 9 else 84
    if by_letters < need - 18 or by_sound < need:
        return 0.0
    score = (by_letters + by_sound) / 2
    return score if score >= need else 0.0


def fix_names(text: str, names: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
    """`text` with misheard names replaced by the known ones; the replacements made (heard, name)."""
    index = _index(tuple(names))
    tokens = [(m.start(), m.end(), _plain(m.group(0))) for m in _WORD.finditer(text)]
    if not index.known or not tokens:
        return text, []
    words = [w for _, _, w in tokens]
    taken = [False] * len(tokens)
    # names heard right (or their plural: "hand soaps") stay as they are and are not matched again (longest first)
    single = [_singular(w) for w in words]
    for size in range(MAX_WORDS, 0, -1):
        for i in range(len(tokens) - size + 1):
            if tuple(single[i:i + size]) in index.exact and not any(taken[i:i + size]):
                taken[i:i + size] = [True] * size
    candidates: list[tuple[float, int, int, Known]] = []
    for i in range(len(tokens)):
        for size in range(1, MAX_WORDS + 1):
            j = i + size
            if j > len(tokens) or any(taken[i:j]):
                break
            heard = words[i:j]
            if any(w in _NUMBER_WORDS for w in heard):
                break
            # letters first, in one batch (rapidfuzz, C): only the near ones are compared by sound
            near = process.extract("".join(heard), index.letters, scorer=fuzz.ratio, score_cutoff=58, limit=None)
            for _, _, k in near:
                known = index.known[k]
                if abs(len(known.words) - size) > 1 or size == len(known.words) == 1:
                    continue  # one word for another is too often an ordinary word ("monitor" is no "monitoare")
                if (heard[0] in _SMALL and heard[0] != known.words[0]) or (heard[-1] in _SMALL and heard[-1] != known.words[-1]):
                    continue
                if size < len(known.words) and {_singular(w) for w in heard} & {_singular(w) for w in known.words}:
                    continue  # part of a longer name, heard right ("widgets", "cables"): the rest was not said
                score = _close(heard, known)
                if score:
                    candidates.append((score, i, j, known))
    chosen: list[tuple[int, int, Known]] = []
    for score, i, j, known in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if not any(taken[i:j]):
            taken[i:j] = [True] * (j - i)
            chosen.append((i, j, known))
    out, made = text, []
    for i, j, known in sorted(chosen, key=lambda c: -c[0]):  # right to left: offsets stay valid
        start, end = tokens[i][0], tokens[j - 1][1]
        # what was said, spelt the company's way: a legal form nobody said is not written in ("Globex", not
        # "Globex Corporation"); the parser finds the customer by either
        name = known.name if any(w in _LEGAL for w in words[i:j]) else known.said
        made.append((text[start:end], name))
        out = out[:start] + name + out[end:]
    made.reverse()
    return out, made
