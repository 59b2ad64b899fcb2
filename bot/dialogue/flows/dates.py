"""Reading a day the person typed, in their language and time zone."""
from __future__ import annotations

from datetime import date

from ..turn import Turn


def parse_day(turn: Turn, text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if turn.services.parse is not None:
        ents = turn.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz)).entities
        value = ents.get("date") or (ents.get("datetime") or "")[:10]
        if value:
            return date.fromisoformat(value)
    import dateparser

    found = dateparser.parse(text, languages=[turn.lang], settings={"RELATIVE_BASE": turn.now().replace(tzinfo=None),
                                                                      "PREFER_DATES_FROM": "future"})
    return found.date() if found else None
