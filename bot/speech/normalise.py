"""What a recogniser wrote -> what the parser expects: numbers as digits, bins as codes.

Applied to every transcript, ours (Whisper, Vosk) and Twilio's (phone calls):

    "order ten forty two"      -> "order 1042"
    "at ten thirty"            -> "at 10:30"
    "forty-five boxes"         -> "45 boxes"
    "bin c two five", "C 25"   -> "bin C-25"
    "a zero one zero two"      -> "A-01-02"  (zone, aisle, level: the company's bins)
    "P O zero zero three one"  -> "PO-0031"
    "1,042", "1, 0, 4, 2"      -> "1042"
    "order 1, 0, 42"           -> "order 1042"
    "заказ тысяча сорок два"   -> "заказ 1042"

Codes are made only where one is plausible (after a code or bin word, at the start, with
a leading zero, from spelt letters): "vitamin C 25 mg", "it's 5", "2 x 4" stay as they are.

English number words are read in every language (people mix them in codes).
"""
from __future__ import annotations

import re

from .numbers import DOCUMENT_WORDS, words_to_digits

# Words after which a letter and a number are a bin ("from c 25" -> "from C-25"); a lone "a"
# (or "i") is a bin letter only after them, never the article: "from a 12" -> "from A-12".
_BIN_WORDS = {"bin", "bins", "from", "to", "into", "at", "in", "location", "shelf", "slot", "rack", "aisle", "pick", "count",
              "check", "zone", "ячейка", "ячейки", "ячейку", "полка", "из", "в"}
_OPENERS = {"", "uh", "um", "er", "so", "ok", "okay", "and", "then", "now", "э", "ну"}  # nothing said before: a code
# A letter glued to its number, the way Whisper writes a code: "C25", "c-25" (not "it's5", not "M8x30").
_GLUED = re.compile(r"(?<![\w'’.-])([b-hj-z])-?(\d+)\b", re.IGNORECASE)
# A letter, a space, a number: a code after a bin word, at the start, or before a leading zero;
# elsewhere it is what it says ("vitamin C 25 mg", "plan B 2", "2 x 4", "it's 5").
_SPACED = re.compile(r"(?<![\w'’.-])([a-z])\.?[ -](\d+)\b", re.IGNORECASE)
# Letters spelt out, or written in capitals, before a number with a leading zero: a code
# ("P O 0031" -> "PO-0031", "W R I 012" -> "WRI-012", "PO 0031" -> "PO-0031").
_LETTERS_CODE = re.compile(r"(?<![\w'’.-])((?:[A-Za-z](?:\. ?| |-)){2,4}|[A-Z]{2,4}\.? )(0\d+)\b")
# A zone letter and four digits is aisle and level: "A-0102" -> "A-01-02" (the company's bins); a digit or two
# more read straight after it are a number of their own ("a zero two zero two seven sets" -> "A-02-02 7 sets").
_AISLE_LEVEL = re.compile(r"(?<![\w-])([A-Z])-(0\d)-?(0\d)(\d{1,2})?\b")
# A word of three or four letters before a number with a leading zero is a product code said as it is
# written ("pap zero zero one" -> "PAP-001"), unless the word is an ordinary one ("the 01", "from 0102").
_WORD_CODE = re.compile(r"(?<![\w'’.-])([A-Za-z]{3,4})[ -](0\d{1,3})\b")
_NOT_PREFIX = {"the", "and", "for", "from", "into", "with", "was", "are", "has", "had", "have", "not", "but", "you", "all",
               "any", "can", "our", "out", "get", "got", "its", "his", "her", "one", "two", "six", "ten", "nine", "five",
               "four", "zero", "bin", "bins", "rack", "slot", "aisle", "zone", "dock", "pick", "code", "item", "sku",
               "order", "is", "this", "that", "them", "they", "then", "than", "what", "when", "also", "just", "only",
               "plus", "dial", "call", "room", "unit", "line", "year", "page", "step", "shelf", "level", "phone"}
# Two to four letters spelt out before an order-like number: "s o 1107" -> "SO-1107", "p o 2607" -> "PO-2607".
_SPELT_PREFIX = re.compile(r"(?<![\w'’.-])((?:[b-hj-z] )(?:[a-z] ){1,3})(\d{3,6})\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"\b(\d{1,3})((?:,\d{3})+)\b")
# Digits read one by one come back as "1, 0, 4, 2" or "1 0 4 2": one number (three digits or more: codes).
_SPELT_DIGITS = re.compile(r"(?<![\d.,])\d(?:(?:,? |-)\d){2,}(?![\d]|[.,]\d)")
# After a document word, groups of digits are one number however Whisper split them: "order 1, 0, 42",
# "order 10 42" -> "order 1042" (it writes a code read in groups or digit by digit either way).
_DOC_RUN = re.compile(r"(?i)\b(" + "|".join(sorted(DOCUMENT_WORDS["en"] | DOCUMENT_WORDS["ru"], key=len, reverse=True))
                      + r")(\.?\s+#?)(\d{1,4}(?:(?:,\s?|\s|-)\d{1,4})+)(?![\d]|[.,]\d)")


# A time Whisper wrote without its colon: "tomorrow at 1030" -> "tomorrow at 10:30" (after at/by/until, at the end
# of a sentence or before am/pm or a day); "pick 40 at 1042 boxes" stays.
_BARE_TIME = re.compile(r"(?i)\b(at|by|until|till)\s+([01]?\d|2[0-3])([0-5]\d)(?=\s*(?:[.!?,;]|$|a\.?m\b|p\.?m\b|o'?clock\b|"
                        r"today\b|tomorrow\b|tonight\b|on\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b))")
# Whisper writes a bin's aisle and level apart ("B-06, 01"): joined when both have the bins' leading zero
# ("bin C-25, 45 boxes" stays).
_AISLE_COMMA = re.compile(r"(?<![\w-])([A-Z])-(0\d),? (0\d)\b")
# Whisper writes "zero five" in a code as a decimal: "bin B-0.5-0.2" -> "bin B-05-02" (the company's bins).
_DECIMAL_PARTS = re.compile(r"(?<![\w.-])([A-Z])-0\.(\d)(?:-0\.(\d))?(?!\.?\d)")
# A bin letter heard as the word for it before the four digits of a bin: "do be 0402" -> "do B-0402" (-> B-04-02).
_LETTER_WORDS = {"be": "B", "bee": "B", "see": "C", "sea": "C", "dee": "D", "pee": "P", "pea": "P", "ay": "A", "eh": "A"}
_LETTER_WORD_BIN = re.compile(r"(?i)\b(" + "|".join(_LETTER_WORDS) + r")[ -](0\d{3})\b")
# The command said and heard with a stray ending: "Reminds me at 4" -> "remind me at 4".
_HEARD_COMMAND = re.compile(r"(?i)^(\W*(?:(?:uh|um|so|okay|ok)\W+)?)reminds me\b")


def _letters(m: re.Match) -> str:
    return re.sub(r"[^A-Za-z]", "", m.group(1)).upper() + "-" + m.group(2)


def _is_code(text: str, m: re.Match) -> bool:
    before = re.findall(r"[^\W\d_]+|\d+", text[:m.start()].lower())
    if before and before[-1].isdigit():  # "2 x 4"
        return False
    if (len(m.group(2)) > 1 and m.group(2).startswith("0")) or (before and before[-1] in _BIN_WORDS):
        return True
    return m.group(1).lower() not in "ai" and all(w in _OPENERS for w in before[-1:]) and len(before) <= 1


def _word_code(m: re.Match) -> str:
    return m.group(0) if m.group(1).lower() in _NOT_PREFIX else m.group(1).upper() + "-" + m.group(2)


def _spelt_prefix(m: re.Match) -> str:
    return m.group(1).replace(" ", "").upper() + "-" + m.group(2)


def _aisle_level(m: re.Match) -> str:
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" + (f" {int(m.group(4))}" if m.group(4) else "")


def bin_codes(text: str) -> str:
    """'bin c 25' -> 'bin C-25'; 'from a 12' -> 'from A-12'; 'into a 0102' -> 'into A-01-02'; 'a 5 pack' stays,
    and so does a letter and a number that are no code ('vitamin C 25', "it's 5", 'plan B 2')."""
    text = _LETTER_WORD_BIN.sub(lambda m: _LETTER_WORDS[m.group(1).lower()] + "-" + m.group(2), text)
    text = _LETTERS_CODE.sub(_letters, text)
    text = _SPELT_PREFIX.sub(_spelt_prefix, text)
    text = _WORD_CODE.sub(_word_code, text)
    text = _GLUED.sub(lambda m: f"{m.group(1).upper()}-{m.group(2)}", text)
    text = _SPACED.sub(lambda m: f"{m.group(1).upper()}-{m.group(2)}" if _is_code(text, m) else m.group(0), text)
    text = _AISLE_COMMA.sub(r"\1-\2-\3", text)
    text = _DECIMAL_PARTS.sub(lambda m: f"{m.group(1)}-0{m.group(2)}" + (f"-0{m.group(3)}" if m.group(3) else ""), text)
    return _AISLE_LEVEL.sub(_aisle_level, text)


def _doc_number(m: re.Match) -> str:
    """Join the groups when they were read digit by digit ("1, 0, 42") or end the sentence ("order 10 42?");
    "order 10, 20 boxes" is two quantities and stays."""
    groups = re.findall(r"\d+", m.group(3))
    ends = re.match(r"\s*(?:[.?!,;:]|$)", m.string[m.end():]) is not None
    if len("".join(groups)) < 3 or not (len(groups[0]) == 1 or ends):
        return m.group(0)
    return m.group(1) + m.group(2) + "".join(groups)


def normalise_spoken(text: str, lang: str = "en") -> str:
    text = words_to_digits(text, "en")
    if lang != "en":
        text = words_to_digits(text, lang)
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    text = _SPELT_DIGITS.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)
    text = _DOC_RUN.sub(_doc_number, text)
    if lang == "en":
        text = _HEARD_COMMAND.sub(r"\1remind me", text)
        text = _BARE_TIME.sub(lambda m: f"{m.group(1)} {int(m.group(2))}:{m.group(3)}", text)
    return bin_codes(text)
