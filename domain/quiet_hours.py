"""Quiet hours: no marketing SMS at night in the recipient's own time zone."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import InvalidInput, N_


def parse_window(text: str | None) -> tuple[time, time] | None:
    """ "21:00-09:00" -> (21:00, 09:00); "" or None -> no quiet hours."""
    if not text:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise InvalidInput(N_("Quiet hours look like 21:00-09:00, not {text}."), text=text) from None
    return (start, end) if start != end else None


def _inside(t: time, start: time, end: time) -> bool:
    return start <= t < end if start < end else (t >= start or t < end)


def next_allowed(moment: datetime, tz: str, window: tuple[time, time] | None) -> datetime:
    """`moment` when it falls outside the quiet window in `tz`, else the window's end there (as UTC)."""
    if window is None:
        return moment
    start, end = window
    local = moment.astimezone(ZoneInfo(tz))
    if not _inside(local.timetz().replace(tzinfo=None), start, end):
        return moment
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    # combine + localize through the zone: a DST change inside the night is handled by zoneinfo
    return datetime.combine(day, end, tzinfo=ZoneInfo(tz)).astimezone(moment.tzinfo)
