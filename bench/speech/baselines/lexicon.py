"""Pronunciations for pocketsphinx: CMUdict from the wheel, espeak-ng for the rest.

Customer and product names ("Globex", "Vitosha", "Initech") are mostly not in
CMUdict. espeak-ng (a Debian package the project installs) spells any word
in its own phoneme mnemonics; those map onto the CMU phone set pocketsphinx's
US-English model uses. Without espeak-ng such words are left out of the
domain model (and logged), which only costs the bias for those names.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess

import pocketsphinx

log = logging.getLogger(__name__)

CMUDICT = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")

# espeak-ng en-us mnemonics -> CMU phones (longest symbols first when matching).
_ESPEAK_TO_CMU = {
    "tS": "CH", "dZ": "JH", "t#": "T", "d#": "D", "n-": "AH N", "r-": "R", "@L": "AH L", "?": "T",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH",
    "s": "S", "z": "Z", "S": "SH", "Z": "ZH", "h": "HH", "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R",
    "w": "W", "j": "Y", "x": "K", "C": "HH",
    "i@3": "IY R", "i@": "IY R", "i:": "IY", "i": "IY", "I2": "IH", "I#": "IH", "I": "IH",
    "e@": "EH R", "eI": "EY", "e": "EH", "E": "EH",
    "a#": "AH", "aI": "AY", "aU": "AW", "a": "AE",
    "A@": "AA R", "A:": "AA", "A": "AA", "0": "AA",
    "O@": "AO R", "O:": "AO", "OI": "OY", "O": "AO",
    "oU": "OW", "o": "OW", "u:": "UW", "u": "UW", "U@": "UH R", "U": "UH",
    "V": "AH", "3:": "ER", "3": "ER", "@2": "AH", "@5": "AH", "@": "AH",
}
_SYMBOLS = sorted(_ESPEAK_TO_CMU, key=len, reverse=True)
_WORD = re.compile(r"^[a-z][a-z']*$")


@functools.cache
def cmudict() -> dict[str, str]:
    """word -> first pronunciation ("widgets" -> "W IH JH AH T S")."""
    out: dict[str, str] = {}
    with open(CMUDICT, encoding="utf-8") as f:
        for line in f:
            word, _, phones = line.strip().partition(" ")
            if "(" not in word and phones:  # alternates "word(2)" skipped
                out.setdefault(word, phones.strip())
    return out


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_to_cmu(mnemonics: str) -> str:
    phones: list[str] = []
    text = re.sub(r"[',;%=_|]", "", mnemonics)  # stress and syllable marks
    i = 0
    while i < len(text):
        for sym in _SYMBOLS:
            if text.startswith(sym, i):
                phones.append(_ESPEAK_TO_CMU[sym])
                i += len(sym)
                break
        else:
            i += 1  # a mark the table does not know: skip it
    return " ".join(phones)


def guess_pronunciations(words: list[str]) -> dict[str, str]:
    """Pronunciations from espeak-ng for words CMUdict lacks (one process for all)."""
    words = [w for w in words if _WORD.match(w)]
    if not words or not espeak_available():
        if words:
            log.warning("espeak-ng not found: %d words without pronunciation left out of the speech model", len(words))
        return {}
    # One word per line; espeak-ng prints one line of mnemonics per input line.
    lines = _espeak(words)
    if len(lines) != len(words):  # lines merged or split: ask word by word
        lines = [" ".join(_espeak([w])) for w in words]
    out = {}
    for word, line in zip(words, lines):
        phones = espeak_to_cmu(line)
        if phones:
            out[word] = phones
    return out


def pronunciations(words: set[str]) -> dict[str, str]:
    """CMUdict first, espeak-ng for the rest; words with neither are absent."""
    known = cmudict()
    out = {w: known[w] for w in words if w in known}
    out.update(guess_pronunciations(sorted(words - out.keys())))
    return out


def _espeak(words: list[str]) -> list[str]:
    result = subprocess.run(["espeak-ng", "-q", "-x", "-v", "en-us"], input="\n".join(words) + "\n",
                            capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        log.warning("espeak-ng failed (%s): %s", result.returncode, result.stderr.strip()[:200])
        return []
    return [ln.strip() for ln in result.stdout.splitlines() if ln.strip()]
