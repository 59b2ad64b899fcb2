"""What a recogniser wrote -> what the parser expects: numbers as digits, bins as codes.

Applied to every transcript, ours (Whisper, Vosk) and Twilio's (phone calls):

    "ten forty two"            -> "1042"
    "forty-five boxes"         -> "45 boxes"
    "bin c two five", "C 25"   -> "bin C-25"
    "1,042", "1, 0, 4, 2"      -> "1042"
    "заказ тысяча сорок два"   -> "заказ 1042"

English number words are read in every language (people mix them in codes).
"""
from __future__ import annotations

import re

from .numbers import words_to_digits

# Words after which a lone "a" (or "i") is a bin letter, not the article: "from a 12" -> "from A-12".
_BIN_WORDS = r"(?:bin|bins|from|to|at|location|shelf|slot|rack|aisle|ячейка|ячейки|ячейку|полка|из|в)"
# A single letter, then a number: "c 25", "C25", "C. 25", "c-25" (not inside a word, not "a 5" as an article).
_CODE = re.compile(r"(?<![\w-])([b-hj-z])\.?[ -]?(\d+)\b", re.IGNORECASE)
_ARTICLE_CODE = re.compile(r"(\b" + _BIN_WORDS + r"\s+)([ai])\.?[ -]?(\d+)\b", re.IGNORECASE)
# "a" or "i" before a number with a leading zero is a bin letter anywhere: no article comes before "0402".
_ZERO_CODE = re.compile(r"(?<![\w-])([ai])\.?[ -]?(0\d+)\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"\b(\d{1,3})((?:,\d{3})+)\b")
# Digits read one by one come back as "1, 0, 4, 2" or "1 0 4 2": one number (three digits or more: codes).
_SPELT_DIGITS = re.compile(r"(?<![\d.,])\d(?:(?:,? |-)\d){2,}(?![\d]|[.,]\d)")


def bin_codes(text: str) -> str:
    """'bin c 25' -> 'bin C-25'; 'from a 12' -> 'from A-12'; 'into a 0402' -> 'into A-0402'; 'a 5 pack' stays."""
    text = _CODE.sub(lambda m: f"{m.group(1).upper()}-{m.group(2)}", text)
    text = _ZERO_CODE.sub(lambda m: f"{m.group(1).upper()}-{m.group(2)}", text)
    return _ARTICLE_CODE.sub(lambda m: f"{m.group(1)}{m.group(2).upper()}-{m.group(3)}", text)


def normalise_spoken(text: str, lang: str = "en") -> str:
    text = words_to_digits(text, "en")
    if lang != "en":
        text = words_to_digits(text, lang)
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    text = _SPELT_DIGITS.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)
    return bin_codes(text)
