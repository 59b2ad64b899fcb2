"""Punctuation that differs between Chinese and the European languages we speak.

Chinese ends a sentence with a full-width 。！？ and puts no space after it, so sentences
joined with " " read «已发送。 约需…» with a stray gap; it separates list items with a
full-width comma "，" or the enumeration comma "、", so input split only on "," keeps
«张三，+86…» in one piece.
"""
from __future__ import annotations

import re

# Full-width punctuation (CJK symbols and punctuation, full-width forms): no space follows it.
_FULL_WIDTH_END = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]$")
_ITEM_SEPARATORS = re.compile("[,\uff0c\u3001]")  # , ， 、


def join_sentences(*sentences: str) -> str:
    """Sentences one after another: a space between them, none after a full-width full stop
    (ru «Отправлено. Примерно…», zh «已发送。约需…»). Empty ones are left out."""
    out = ""
    for s in sentences:
        if not s:
            continue
        out += s if not out or _FULL_WIDTH_END.search(out) else " " + s
    return out


def split_items(text: str, maxsplit: int = 0) -> list[str]:
    """A typed list split on commas, Chinese ones included ("Ann, +359...", «张三，+86…», «甲、乙»),
    each item stripped; maxsplit as in re.split (0: no limit)."""
    return [item.strip() for item in _ITEM_SEPARATORS.split(text or "", maxsplit=maxsplit)]
