"""Spoken numbers (English, Russian) -> digits, and English numbers -> words.

Recognisers write numbers as words ("one zero four two", "ten forty two",
"fifty"); the bot wants digits ("1042", "50"). Runs of number words become
one number: a cardinal ("one hundred and five" -> 105, "a hundred" -> 100).
When words cannot continue a cardinal, the groups are a code read the way
people say codes ("order ten forty two" -> 1042, "one oh four two" -> 1042)
only where a code is plausible (see _joined); after "at" they are a time
("at ten thirty" -> 10:30); elsewhere numbers of their own ("two five" -> "2 5").

`say_number` goes the other way, to build the domain language model.
"""
from __future__ import annotations

import re

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

_RU_UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_RU_TEENS = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
             "семнадцать", "восемнадцать", "девятнадцать"]
_RU_TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"]
_RU_HUNDREDS = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"]


def _table(units: list[str], teens: list[str], tens: list[str], hundreds: list[str] = ()) -> dict[str, int]:
    return ({w: i for i, w in enumerate(units)} | {w: 10 + i for i, w in enumerate(teens)}
            | {w: 10 * i for i, w in enumerate(tens) if w} | {w: 100 * i for i, w in enumerate(hundreds) if w})


# Per language: word -> value, the multiplier words, and "oh"-like zero words.
_VALUES = {
    "en": _table(UNITS, TEENS, TENS) | {"oh": 0},
    "ru": _table(_RU_UNITS, _RU_TEENS, _RU_TENS, _RU_HUNDREDS) | {"одна": 1, "одно": 1, "одну": 1, "две": 2, "нуль": 0},
}
_HUNDRED = {"en": {"hundred"}, "ru": set()}  # Russian hundreds are words of their own (двести)
_THOUSAND = {"en": {"thousand"}, "ru": {"тысяча", "тысячи", "тысяч", "тысячу"}}
_AND = {"en": {"and"}, "ru": set()}


def say_number(n: int) -> str:
    """0 <= n < 1_000_000 in words: 1042 -> 'one thousand forty two'."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"{n} is out of range")
    if n < 10:
        return UNITS[n]
    if n < 20:
        return TEENS[n - 10]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + UNITS[n % 10])
    if n < 1000:
        return UNITS[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + say_number(n % 100))
    return say_number(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + say_number(n % 1000))


def say_digits(digits: str) -> str:
    """'1042' -> 'one zero four two'."""
    return " ".join(UNITS[int(d)] for d in digits)


def say_pairs(n: int) -> str:
    """1042 -> 'ten forty two', 1205 -> 'twelve oh five' (how order numbers are often read)."""
    hi, lo = divmod(n, 100)
    if lo == 0:
        return say_number(hi) + " hundred"
    return say_number(hi) + " " + (("oh " + UNITS[lo]) if lo < 10 else say_number(lo))


class _Run:
    """Accumulates one run of number words into groups of digits."""

    def __init__(self, lang: str) -> None:
        self.values, self.hundred, self.thousand = _VALUES[lang], _HUNDRED[lang], _THOUSAND[lang]
        self.groups: list[str] = []
        self.total = 0  # thousands part of the current group
        self.current: int | None = None  # below-thousand part, None = group empty
        self.last = ""  # kind of the last word: unit, teen, tens, hundreds, hundred, thousand

    def _close(self) -> None:
        if self.current is not None or self.total:
            self.groups.append(str(self.total + (self.current or 0)))
        self.total, self.current, self.last = 0, None, ""

    def add(self, word: str) -> None:
        if word in self.hundred:
            if self.last in ("unit", "teen", "tens") and self.current is not None and self.current % 100 == self.current:
                self.current *= 100
            else:
                self._close()
                self.current = 100
            self.last = "hundred"
            return
        if word in self.thousand:
            self.total = (self.total + (self.current if self.current else 1)) * 1000
            self.current, self.last = 0, "thousand"
            return
        value = self.values[word]
        kind = "unit" if value < 10 else "teen" if value < 20 else "tens" if value < 100 else "hundreds"
        # zero/oh never joins: "twenty oh one" is 20|0|1 -> 2001, not 20+0
        joins = self.current is not None and value != 0 and (
            (kind == "unit" and self.last == "tens")
            or (kind in ("unit", "teen", "tens") and self.last == "hundreds")  # "сто двадцать"
            or (self.last in ("hundred", "thousand") and (self.current or 0) % 100 == 0 and kind != "hundreds")
            or (kind == "hundreds" and self.last == "thousand")  # "тысяча двести"
        )
        if joins:
            self.current = (self.current or 0) + value
        else:
            self._close()
            self.current = value
        self.last = kind

    def result(self) -> list[str]:
        self._close()
        return self.groups


# Words after which a run of numbers is a code read in groups ("order ten forty two" -> 1042,
# "bin c two five" -> C-25), not numbers of their own.
# Words that name a document or a record: the number after them is its number however it was read.
DOCUMENT_WORDS = {
    "en": {"order", "orders", "number", "no", "po", "invoice", "sku", "item", "code", "ref", "reference"},
    "ru": {"заказ", "заказа", "заказу", "заказом", "номер", "счёт", "счет", "артикул"},
}
CODE_WORDS = {
    "en": DOCUMENT_WORDS["en"] | {"bin", "bins", "location", "shelf", "slot", "rack", "aisle", "pick", "picking", "on",
                                  "count", "counting", "counted", "dock"},
    "ru": DOCUMENT_WORDS["ru"] | {"ячейка", "ячейки", "ячейку", "ячейке", "полка", "полку"},
}
_LINKS = {"number", "num", "no", "#", "is", "was", "номер"}
# Words after which two groups are a time of day: "at ten thirty" -> "at 10:30".
TIME_WORDS = {"en": {"at", "by", "until", "till", "around", "before", "after", "today", "tomorrow", "tonight", "monday",
                     "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},  # "friday nine thirty"
              "ru": {"в", "к", "до", "после"}}
_TIME_AFTER = {"am", "pm", "a.m", "p.m", "o'clock", "oclock"}


def _as_time(groups: list[str]) -> str | None:
    """[10, 30] -> "10:30", [11, 0, 5] -> "11:05" (eleven oh five); None when not a time of day."""
    if len(groups) == 3 and groups[1] == "0" and len(groups[2]) == 1:
        groups = [groups[0], groups[2]]
    elif len(groups) != 2 or not 10 <= int(groups[1]) <= 59:
        return None
    hour, minute = int(groups[0]), int(groups[1])
    return f"{hour}:{minute:02d}" if 0 < hour <= 23 and minute <= 59 else None


def _joined(groups: list[str], before: list[str], after: str, whole: bool, lang: str) -> str:
    """One run's groups as text: a time ("10:30"), a code ("1042"), or numbers of their own ("2 5").

    A code needs a reason: a code word or a spelt letter just before, a zero read as a digit
    ("eleven oh five"), digits read one by one (three or more), or nothing else said."""
    if len(groups) == 1:
        return groups[0]
    prev = before[-1] if before else ""
    time = _as_time(groups)
    if time and (prev in TIME_WORDS.get(lang, ()) or after in _TIME_AFTER):
        return time
    digits = len(groups) - len(_digit_by_digit(groups))
    if digits >= 2 and digits < len(groups):  # "zero two zero four fourteen": a code read digit by digit, then a number
        return _joined(groups[:digits], before, "", whole, lang) + " " + _joined(groups[digits:], [], after, False, lang)
    codes = CODE_WORDS.get(lang, set())
    code = (whole or prev in codes or (prev in _LINKS and len(before) > 1 and before[-2] in codes)  # "order number ..."
            or (len(prev) == 1 and prev.isalpha())
            or "0" in groups[1:] or groups[0] == "0"
            or (len(groups) >= 3 and all(len(g) == 1 for g in groups)))
    return "".join(groups) if code else " ".join(groups)


def _digit_by_digit(groups: list[str]) -> list[str]:
    """The groups after the leading run of single digits (["0", "2", "14"] -> ["14"])."""
    i = 0
    while i < len(groups) and len(groups[i]) == 1:
        i += 1
    return groups[i:]


_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_SUFFIX = ["st", "nd", "rd", "th", "th", "th", "th", "th", "th"]
# A day of the month said as words: "the twenty fifth" -> "the 25th" (the date reader knows "25th").
_DAY_ORDINAL = re.compile(r"(?i)\b(twenty|thirty)[ -](" + "|".join(_ORDINALS) + r")\b")


def _day_ordinal(m: re.Match) -> str:
    unit = _ORDINALS.index(m.group(2).lower())
    day = (20 if m.group(1).lower() == "twenty" else 30) + unit + 1
    return f"{day}{_SUFFIX[unit]}" if day <= 31 else m.group(0)


def words_to_digits(text: str, lang: str = "en") -> str:
    """'where is order one zero four two' -> 'where is order 1042';
    'заказ тысяча сорок два' -> 'заказ 1042'; 'forty-five boxes, please' -> '45 boxes, please'.

    English and Russian number words are known; text in other languages is
    returned unchanged. Only the number words are replaced: spacing and
    punctuation around them stay as they were. A lone "oh" or "and" stays a word.
    """
    if lang not in _VALUES:
        return text
    if lang == "en":
        text = _DAY_ORDINAL.sub(_day_ordinal, text)
    values = _VALUES[lang]
    numbers = set(values) | _HUNDRED[lang] | _THOUSAND[lang]
    tokens = list(re.finditer(r"[^\W\d_]+", text))

    def word(i: int) -> str:
        return tokens[i].group().lower() if i < len(tokens) else ""

    def glued(i: int) -> bool:  # token i follows token i-1 with only a space or a hyphen between ("forty-two")
        return text[tokens[i - 1].end():tokens[i].start()] in (" ", "-", "  ")

    def starts_number(i: int) -> bool:  # a value word ("oh"/"hundred" alone do not start one)
        return word(i) in values and word(i) != "oh"

    out: list[str] = []
    pos = i = 0
    while i < len(tokens):
        w = word(i)
        a_hundred = w == "a" and word(i + 1) in _HUNDRED[lang] | _THOUSAND[lang] and glued(i + 1)  # "a hundred and five"
        if a_hundred or (w in numbers and not (w == "oh" and not (starts_number(i + 1) and glued(i + 1)))):
            run = _Run(lang)
            first = i
            while i < len(tokens) and (i == first or glued(i)):
                w = word(i)
                if w in _AND[lang] and run.last in ("hundred", "thousand") and starts_number(i + 1):
                    i += 1  # "one hundred and five"
                    continue
                if w not in numbers and not (i == first and a_hundred):
                    break
                run.add("one" if i == first and a_hundred else w)
                i += 1
            start, end = tokens[first].start(), tokens[i - 1].end()
            out.append(text[pos:start])
            out.append(_joined(run.result(), _words(text[:start]), _first_word(text[end:]),
                               _only_fillers(text[:start]) and _only_fillers(text[end:]), lang))
            pos = end
            continue
        i += 1
    out.append(text[pos:])
    return "".join(out)


_FILLERS = {"uh", "um", "er", "erm", "ah", "hmm", "so", "ok", "okay", "э", "ну"}


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w#]+", text)]


def _first_word(text: str) -> str:
    m = re.match(r"\s*([\w.'’]+)", text)
    return m.group(1).lower().rstrip(".").replace("’", "'") if m else ""


def _only_fillers(text: str) -> bool:
    return all(w in _FILLERS for w in _words(text))
