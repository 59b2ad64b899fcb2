"""Word lists per language: numbers, units, currencies, stages, channels,
date words and the small function words the entity rules anchor on.

Every module exposes the same names (see en.py); values are plain data so the
rules in nlu.entities stay language-neutral."""
from __future__ import annotations

import importlib
from functools import lru_cache

LANGS = ("en", "ru", "bg", "ro", "zh")


@lru_cache(maxsize=None)
def get(lang: str):
    mod = importlib.import_module(f"nlu.lexicon.{lang}")
    from nlu.text import fold

    # the rules compare folded words ("și" is read as "si"): the word sets hold both spellings
    for attr in ("STOP", "LEADING_DROP"):
        words = getattr(mod, attr, None)
        if words:
            setattr(mod, attr, set(words) | {fold(w) for w in words})
    return mod
