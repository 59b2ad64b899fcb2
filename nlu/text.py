"""Text folding shared by the classifier, the entity rules and language
detection: case, diacritics, Russian spelling variants and transliteration."""
from __future__ import annotations

import re
from functools import lru_cache

# one-to-one character folds: keep offsets aligned with the original text
_FOLD_COMMON = str.maketrans({"ё": "е", "Ё": "е", "ș": "s", "ş": "s", "Ș": "s", "Ş": "s", "ț": "t", "ţ": "t",
                              "Ț": "t", "Ţ": "t", "ă": "a", "Ă": "a", "â": "a", "Â": "a", "î": "i", "Î": "i",
                              "’": "'", "‘": "'", "`": "'", "＃": "#", "，": ",", "。": ".", "：": ":", "？": "?",
                              "！": "!", "；": ";", "（": "(", "）": ")"})


def fold(text: str) -> str:
    """Lower case and drop diacritics without changing the length."""
    out = text.translate(_FOLD_COMMON).lower()
    return out if len(out) == len(text) else text.translate(_FOLD_COMMON)


# Latin -> Cyrillic for Russian typed in Latin letters ("privet", "zakaz 1042").
_LAT2CYR = [
    ("shch", "щ"), ("sch", "щ"), ("yo", "е"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("tz", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("ya", "я"), ("ja", "я"), ("ia", "я"), ("yu", "ю"), ("ju", "ю"), ("iu", "ю"), ("ye", "е"),
    ("je", "е"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("j", "й"), ("k", "к"), ("q", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("x", "кс"), ("'", "ь"),
]
_LAT_TABLE = dict(_LAT2CYR)
# "y" reads as "й" after a vowel unless a vowel follows, otherwise "ы"
_LAT_RX = re.compile("|".join(["(?<=[aeiouy])y(?![aeiou])"] + [re.escape(k) for k, _ in _LAT2CYR] + ["y"]))


def _lat_sub(m: re.Match) -> str:
    t = m.group(0)
    if t == "y":
        return "й" if m.start() and m.string[m.start() - 1] in "aeiouy" and not m.string[m.end():m.end() + 1] in ("a", "e", "i", "o", "u") else "ы"
    return _LAT_TABLE[t]


# Bulgarian typed in Latin letters ("shlyokavitsa"): "q" and "ia" are "я", "y" and "a" stand for "ъ"
# ("porychka", "porachka"), "sht" is "щ", "j" is "ж", "x" and "h" are "х" ("zvanqh", "mesti", "kolko")
_BG_LAT = [
    ("sht", "щ"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("iu", "ю"), ("ju", "ю"),
    ("ya", "я"), ("ia", "я"), ("ja", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"),
    ("e", "е"), ("z", "з"), ("i", "и"), ("j", "ж"), ("k", "к"), ("q", "я"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"),
    ("x", "х"), ("y", "ъ"),
]
_BG_TABLE = dict(_BG_LAT)
_BG_RX = re.compile("|".join(re.escape(k) for k, _ in _BG_LAT))


def lat2cyr(text: str, lang: str = "ru") -> tuple[str, list[int]]:
    """Transliterate Latin letters to Cyrillic the way `lang` ("ru" or "bg") is typed in Latin.
    Returns the new text and, for each of its characters, the index of the source character it came from."""
    low = text.lower()
    out: list[str] = []
    src: list[int] = []
    pos = 0
    for m in (_BG_RX if lang == "bg" else _LAT_RX).finditer(low):
        for i in range(pos, m.start()):  # untouched characters keep their case
            out.append(text[i])
            src.append(i)
        rep = _BG_TABLE[m.group(0)] if lang == "bg" else _lat_sub(m)
        out.append(rep)
        src.extend([m.start()] * len(rep))
        pos = m.end()
    for i in range(pos, len(text)):
        out.append(text[i])
        src.append(i)
    return "".join(out), src


_CYR2LAT = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
            "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
            "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
            "э": "e", "ю": "yu", "я": "ya"}


def cyr2lat(text: str) -> str:
    return "".join(_CYR2LAT.get(c, c) for c in text.lower())


_LATIN = re.compile(r"[a-z]", re.I)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def script_counts(text: str) -> tuple[int, int, int]:
    return len(_LATIN.findall(text)), len(_CYRILLIC.findall(text)), len(_CJK.findall(text))


def is_mostly_latin(text: str) -> bool:
    lat, cyr, cjk = script_counts(text)
    return lat > 0 and lat >= 2 * (cyr + cjk)


def is_bg_latin(text: str) -> bool:
    """A Bulgarian line typed in Latin letters: no Cyrillic at all (a line that mixes the scripts is
    Cyrillic words around Latin names and codes) and at least two Latin words."""
    lat, cyr, cjk = script_counts(text)
    return not cyr and not cjk and len(re.findall(r"[a-z]{2,}", text, re.I)) >= 2


@lru_cache(maxsize=None)
def _bg_latin_words() -> frozenset[str]:
    """Words the Bulgarian lexicon itself writes in Latin letters ("sms", "viber", "email"): they stay as written."""
    from nlu.lexicon import get

    lx = get("bg")
    words = set()
    for attr in (a for a in dir(lx) if a.isupper()):
        val = getattr(lx, attr)
        items = val.values() if isinstance(val, dict) else val if isinstance(val, (list, tuple, set, frozenset)) else ()
        for item in items:
            for phrase in item if isinstance(item, (list, tuple)) else [item]:
                if isinstance(phrase, str):
                    words |= {w for w in fold(phrase).split() if w.isascii() and w.isalpha() and len(w) > 2}
    return frozenset(words | {"help", "start", "stop", "ok", "cancel"})


# --- features for the intent classifier -------------------------------------------------

# codes are ASCII: a Chinese character right next to one is still a boundary
BIN_RE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z]{1,3}\d{0,2}(?:-\d{1,3}){2,3}(?![A-Za-z0-9_-])")
CODE_RE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z]{1,5}-?\d{2,}(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9_-])")
_WORD = re.compile(r"\w+", re.U)
_PO_RE = re.compile(r"(?<![A-Za-z0-9_-])(?:PO|po|Po)[- ]?\d{2,}(?![A-Za-z0-9_-])")
# a sales order's number ("SO-1042", "ord 2231") is not a product code ("PAP-005 где" asks for stock)
_SO_RE = re.compile(r"(?<![A-Za-z0-9_-])(?:SO|so|So|ORD|ord|Ord)[- ]?\d{2,}(?![A-Za-z0-9_-])")
# the warehouses as people name them: codes and the cities they are in ("send 40 boxes to Varna")
_WAREHOUSES = re.compile(r"(?<![\w-])(?:(?-i:MAIN|NORTH|EAST|TRANSIT)|varna|варн(?:ата|а|е|у|ы|ой)|plovdiv|пловдив(?:а|е|у|ом)?)(?![\w-])"
                         r"|瓦尔纳|普罗夫迪夫", re.I)
# bins written short, without the leading zeros: "a1-2", "B3-1", "c02/05" (zone, aisle, level)
BIN_SHORT_RE = re.compile(r"(?<![A-Za-z0-9_/.-])([A-Da-dPp])(\d{1,2})[-/](\d{1,2})(?![A-Za-z0-9_/-]|[.,]\d)")
_BIN_SOLID = re.compile(r"(?<![A-Za-z0-9_-])(?:[A-Da-dPp]\d{4}|[A-Da-dPp] \d\d \d\d)(?![A-Za-z0-9_-])", re.I)
# bins typed with Cyrillic look-alike letters ("а-6-1", "п-1-2")
_BIN_CYR = re.compile(r"(?<![\w-])[абвгпАБВГП]-?\d{1,2}-\d{1,2}(?:-\d{1,2})?(?![\w-])")
# the docks and quarantine say which way goods go (in: a receipt; out: a pick; quarantine: a move)
_PLACES = re.compile(r"(?<![A-Za-z0-9_-])(dock[- ]?in|dock[- ]?out|quarantine)(?![A-Za-z0-9_-])", re.I)
_TIMES = re.compile(r"(?<![A-Za-z])[xх×*]\s?(\d+)|(?<![\w-])(\d+)\s?[xх×](?![A-Za-zА-я0-9])")
_SIGNS = re.compile(r"=|(?<![\w+])[+]\s?(?=\d)|(?<![\w-])-(?=\d)")
_CAPITALISED = re.compile(r"(?<=[\w,.:;!?)\]] )[A-ZА-ЯЁ][a-zа-яёăâîșțşţ]+")
_MASKS = {"bincode", "codeid", "pocode", "socode", "whcode", "arrow", "equals", "plus", "minus", "times", "dockin", "dockout", "quarantine"}
_RU_FOLD = str.maketrans({"ь": "", "ъ": "", "ы": "и", "й": "и", "щ": "ш", "э": "е"})
_BG_FOLD = str.maketrans({"ь": "", "й": "и"})
_STEM = {"en": 6, "ru": 5, "bg": 5, "ro": 5}


@lru_cache(maxsize=None)
def _number_words(lang: str) -> frozenset[str]:
    from nlu.lexicon import get

    lx = get(lang)
    words = {fold(w) for w in [*lx.NUMBERS, *lx.SCALES] if len(w) > 2}
    if lang == "ru":
        words |= {w.translate(_RU_FOLD) for w in words}
    return frozenset(words)


def features(text: str, lang: str) -> str:
    """The string the intent classifier sees: folded, codes and numbers masked,
    words cut to a stem (absorbs inflection and most late typos)."""
    text = text.replace("->", " arrow ").replace("→", " arrow ").replace("=>", " arrow ").replace(">>", " arrow ")
    text = _PO_RE.sub(" pocode ", text)
    text = _SO_RE.sub(" socode ", text)
    text = _WAREHOUSES.sub(" whcode ", text)
    text = BIN_RE.sub(" bincode ", text)
    text = _BIN_SOLID.sub(" bincode ", text)
    text = BIN_SHORT_RE.sub(" bincode ", text)
    text = _BIN_CYR.sub(" bincode ", text)
    text = _PLACES.sub(lambda m: " " + re.sub(r"[- ]", "", m.group(1).lower()) + " ", text)
    text = _TIMES.sub(r" \1 times \2 ", text)  # "x100", "100x", "100 x": a count
    text = CODE_RE.sub(" codeid ", text)
    text = _SIGNS.sub(lambda m: " equals " if m.group(0) == "=" else " plus " if m.group(0).startswith("+") else " minus ", text)
    # capitalised words after the first are mostly names (customers, suppliers): their letters say
    # nothing about the intent, so they get no character trigrams (their stem still counts)
    names = {fold(w) for w in _CAPITALISED.findall(text)}
    low = fold(text)
    if lang == "zh":
        parts = []
        for tok in re.findall(r"[a-z]+|\d+|[零一二两三四五六七八九十百千万]{2,}|\S", low):
            if tok.isdigit() or len(tok) > 1 and not tok.isascii():
                parts.append("num")
            elif tok.strip(",.!?;:()\"'#"):
                parts.append(tok)
        return " ".join(parts)
    if lang == "ru":
        # the masks are Latin words: they must neither make a Cyrillic line look Latin nor be transliterated
        if is_mostly_latin(" ".join(w for w in low.split() if w not in _MASKS)):
            low = " ".join(w if w in _MASKS else lat2cyr(w)[0] for w in low.split())
        low = low.translate(_RU_FOLD)
    elif lang == "bg":
        if is_bg_latin(" ".join(w for w in low.split() if w not in _MASKS)):
            low = " ".join(w if w in _MASKS or w in _bg_latin_words() else lat2cyr(w, "bg")[0] for w in low.split())
        low = low.translate(_BG_FOLD)
    size = _STEM[lang]
    out = []
    grams = []
    numbers = _number_words(lang)
    for w in _WORD.findall(low):
        if w.isdigit() or w in numbers:
            out.append("num")
        elif any(c.isdigit() for c in w):
            out.append("codeid")
        else:
            out.append(w[:size])
            if len(w) >= 4 and w not in _MASKS and w not in names:
                # character trigrams of the word with its edges: a typo or an unseen ending
                # changes one or two of them, not the whole word
                padded = f"<{w}>"
                grams += ["_" + padded[i:i + 3] for i in range(len(padded) - 2)]
    # the trigrams go after the words so that the word bigrams stay as they were
    return " ".join(out + (["|"] if grams else []) + grams) or "empty"


def bg_latin_to_cyr(text: str) -> tuple[str, list[int]]:
    """A Bulgarian line typed in Latin letters read in Cyrillic, word by word: codes ("b0103", "WRI-005")
    and the words the lexicon writes in Latin stay as they are. Returns the text and, for each of its
    characters, the index of the source character it came from (as lat2cyr)."""
    keep = _bg_latin_words()
    out: list[str] = []
    src: list[int] = []
    pos = 0
    for m in re.finditer(r"(?<![\w-])[A-Za-z]+(?![\w-])", text):
        if m.group(0).lower() in keep:
            continue
        out.append(text[pos:m.start()])
        src.extend(range(pos, m.start()))
        rep, idx = lat2cyr(m.group(0), "bg")
        out.append(rep)
        src.extend(m.start() + i for i in idx)
        pos = m.end()
    out.append(text[pos:])
    src.extend(range(pos, len(text)))
    return "".join(out), src
