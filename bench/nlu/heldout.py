"""The held-out test set: messages never trained on, with expected intent and entities.

Each line of heldout/<lang>.txt is `intent || text || key=value; key=value`;
all relative dates are resolved against NOW (a Friday)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent / "heldout"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Sofia"))
NUMERIC = {"quantity", "amount"}


def _value(key: str, raw: str):
    raw = raw.strip()
    if key in NUMERIC:
        number = float(raw)
        return int(number) if number.is_integer() else number
    return raw


def load(langs=("en", "ru", "bg", "ro", "zh")) -> list[dict]:
    items = []
    for lang in langs:
        for n, line in enumerate((HERE / f"{lang}.txt").read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("||")]
            if len(parts) != 3:
                raise ValueError(f"{lang}.txt:{n}: expected `intent || text || entities`")
            intent, text, ents = parts
            expected = {}
            for pair in filter(None, (p.strip() for p in ents.split(";"))):
                key, _, value = pair.partition("=")
                expected[key.strip()] = _value(key.strip(), value)
            items.append({"lang": lang, "intent": intent, "text": text, "entities": expected})
    return items
