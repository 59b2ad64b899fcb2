"""Spoken English numbers <-> digits.

Recognisers write numbers as words ("one zero four two", "ten forty two",
"fifty"); the bot wants digits ("1042", "50"). Runs of number words become
one number: a cardinal ("one hundred and five" -> 105) or, when words cannot
continue a cardinal, consecutive groups read the way people say codes
("ten forty two" -> 1042, "one oh four two" -> 1042).

`say_number` goes the other way, to build the domain language model.
"""
from __future__ import annotations

import re

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

_VALUE = {w: i for i, w in enumerate(UNITS)} | {w: 10 + i for i, w in enumerate(TEENS)} | \
         {w: 10 * i for i, w in enumerate(TENS) if w}
_NUMBER_WORDS = set(_VALUE) | {"hundred", "thousand", "oh"}


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

    def __init__(self) -> None:
        self.groups: list[str] = []
        self.total = 0  # thousands part of the current group
        self.current: int | None = None  # below-thousand part, None = group empty
        self.last = ""  # kind of the last word: unit, teen, tens, hundred, thousand

    def _close(self) -> None:
        if self.current is not None or self.total:
            self.groups.append(str(self.total + (self.current or 0)))
        self.total, self.current, self.last = 0, None, ""

    def add(self, word: str) -> None:
        if word == "hundred":
            if self.last in ("unit", "teen", "tens") and self.current is not None and self.current % 100 == self.current:
                self.current *= 100
            else:
                self._close()
                self.current = 100
            self.last = "hundred"
            return
        if word == "thousand":
            self.total = (self.total + (self.current if self.current else 1)) * 1000
            self.current, self.last = 0, "thousand"
            return
        value = 0 if word == "oh" else _VALUE[word]
        kind = "unit" if value < 10 else "teen" if value < 20 else "tens"
        # zero/oh never joins: "twenty oh one" is 20|0|1 -> 2001, not 20+0
        joins = self.current is not None and value != 0 and (
            (kind == "unit" and self.last == "tens")
            or (self.last in ("hundred", "thousand") and (self.current or 0) % 100 == 0)
        )
        if joins:
            self.current = (self.current or 0) + value
        else:
            self._close()
            self.current = value
        self.last = kind

    def text(self) -> str:
        self._close()
        return "".join(self.groups)


def words_to_digits(text: str, lang: str = "en") -> str:
    """'where is order one zero four two' -> 'where is order 1042'.

    Only English number words are known; text in other languages is returned
    unchanged. A lone "oh" or "and" stays a word.
    """
    if lang != "en":
        return text
    tokens = re.findall(r"[A-Za-z']+|\d+|[^\sA-Za-z\d]+", text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].lower()
        if word in _NUMBER_WORDS and not (word == "oh" and not _is_number(tokens, i + 1)):
            run = _Run()
            while i < len(tokens):
                w = tokens[i].lower()
                if w == "and" and run.last in ("hundred", "thousand") and _is_number(tokens, i + 1):
                    i += 1  # "one hundred and five"
                    continue
                if w not in _NUMBER_WORDS:
                    break
                run.add(w)
                i += 1
            out.append(run.text())
            continue
        out.append(tokens[i])
        i += 1
    return " ".join(out)


def _is_number(tokens: list[str], i: int) -> bool:
    return i < len(tokens) and tokens[i].lower() in _NUMBER_WORDS and tokens[i].lower() not in ("oh", "hundred", "thousand")
