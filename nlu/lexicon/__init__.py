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
    return importlib.import_module(f"nlu.lexicon.{lang}")
