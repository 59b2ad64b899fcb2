"""Dates and times relative to `now`, in the speaker's time zone.

Own rules cover what people type most ("tomorrow at 10", "next Friday",
"в следующую пятницу", "утре в 9", "vinerea viitoare", "下周五", "in 3 days");
dateparser reads dates written with month names ("25 ноября", "Nov 25").
"next Friday" means the Friday of next week; a bare weekday means the coming
one; a relative day without a time gives a date, not a date-time."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from nlu.lexicon import get as lexicon
from nlu.numbers import read_chinese


@dataclass
class Found:
    start: int
    end: int


# minutes after "in"/"через"/"след"/"în" ("in 30 min", "через 20 минут"); kept here, the lexicons have none
_MINUTE_WORDS = {"en": ["min", "mins", "minute", "minutes"], "ru": ["мин", "мин.", "минут", "минуты", "минуту"],
                 "bg": ["мин", "мин.", "минути", "минута"], "ro": ["min", "minute", "minut"]}


def _alt(words) -> str:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_B = r"(?<![\w])"   # word start
_E = r"(?![\w])"    # word end
_ZH_NUM = r"[零一二两三四五六七八九十]+|\d{1,2}"


@lru_cache(maxsize=None)
def _patterns(lang: str) -> dict:
    lx = lexicon(lang)
    from nlu.text import fold

    def f(words):
        return [fold(w) for w in words]

    b, e = (_B, _E) if lang != "zh" else ("", "")
    wd_forms = {fold(form): i for i, forms in enumerate(lx.WEEKDAYS) for form in forms}
    wd = _alt(wd_forms)
    nxt = _alt(f(lx.NEXT))
    p = {"wd_forms": wd_forms}
    rel = [(2, lx.AFTER_TOMORROW), (1, lx.TOMORROW), (0, lx.TODAY), (-1, lx.YESTERDAY)]
    p["rel"] = [(off, re.compile(b + "(?:" + _alt(f(words)) + ")" + e)) for off, words in rel if words]
    if lang == "zh":
        p["next_wd"] = re.compile(r"(?:下个?|下一个?)(?:周|星期|礼拜)([一二三四五六日天])")
        p["this_wd"] = re.compile(r"(?:这个?|本)?(?:周|星期|礼拜)([一二三四五六日天])")
        p["in_n"] = re.compile(r"(" + _ZH_NUM + r")\s*(天|个?星期|周|个?小时|分钟)(?:以后|之后|后)")
        p["half_hour"] = re.compile(r"半(?:个)?小时(?:以后|之后|后)")
        p["next_week"] = re.compile(r"下(?:个)?(?:周|星期|礼拜)")
        p["md"] = re.compile(r"(\d{1,2})月(\d{1,2})[日号]")
    else:
        nw = _alt(f(lx.NEXT_WEEK))
        p["next_wd"] = re.compile(
            b + "(?:(?:" + nxt + r")\s+(?:week\s+)?(?P<a>" + wd + ")|(?P<b>" + wd + r")\s+(?:" + nxt + ")"
            + (r"|(?:" + nw + r")\s+(?:on\s+|в\s+|на\s+|pe\s+|in\s+)?(?P<c>" + wd + ")" if nw else "")
            + (r"|(?P<d>" + wd + r")\s+(?:of\s+)?(?:" + nw + ")" if nw else "") + ")" + e)
        # "black friday" is a sale, not a date
        p["this_wd"] = re.compile(r"(?<!black )(?<!черную )(?<!черная )(?<!черния )(?<!черен )" + b + "(" + wd + ")" + e)
        n_words = _alt(f(lx.IN_N)) or "in"
        # "in 3 days", "peste o oră" (an article for one), "через полчаса", "in half an hour"
        # minutes only with their number ("in 30 min", "через 20 минут"): "in a minute" is no time
        p["in_n"] = re.compile(b + "(?:" + n_words + r")\s+(?:(\d{1,3})\s+|(?:o|un|an|a|one|една|един|одна|один)\s+)?("
                               + _alt(f(lx.DAY_WORDS + lx.WEEK_WORDS + lx.HOUR_WORDS)) + ")" + e
                               + (r"|" + b + "(?:" + n_words + r")\s+(\d{1,3})\s*(" + _alt(f(_MINUTE_WORDS.get(lang, []))) + ")" + e
                                  if _MINUTE_WORDS.get(lang) else ""))
        p["half_hour"] = re.compile(b + "(?:" + n_words + r")\s+(?:полчаса|пол часа|half an hour|half hour|половин час|jumatate de ora|o jumatate de ora)" + e)
        p["n_from_now"] = re.compile(b + r"(\d{1,3})\s+(" + _alt(f(lx.DAY_WORDS + lx.WEEK_WORDS + lx.HOUR_WORDS)) + r")\s+(?:from now|later)" + e) if lang == "en" else None
        p["next_week"] = re.compile(b + "(?:" + nw + ")" + e) if nw else None
        p["month"] = re.compile(b + r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _alt(f(lx.MONTHS)) + r")\w*\.?|(?:" + _alt(f(lx.MONTHS)) + r")\w*\.?\s+(\d{1,2})(?:st|nd|rd|th)?)" + e) if lx.MONTHS else None
    p["day_words"] = set(f(lx.DAY_WORDS))
    p["week_words"] = set(f(lx.WEEK_WORDS))
    p["hour_words"] = set(f(lx.HOUR_WORDS))
    p["iso"] = re.compile(r"(?<!\d)(20\d\d)-(\d{1,2})-(\d{1,2})(?!\d)")
    p["dmy"] = re.compile(r"(?<![\d.:/])(\d{1,2})([./])(\d{1,2})(?:\2(\d{2}|\d{4}))?(?![\d:/]|\.\d)")
    # times
    am, pm = _alt(f(lx.AM)), _alt(f(lx.PM))
    at = _alt(f(lx.AT_TIME))
    if lang == "zh":
        p["time"] = re.compile(r"(上午|早上|早晨|中午|下午|晚上|傍晚)?\s*(" + _ZH_NUM + r")\s*[点點:：](?:\s*(半|\d{1,2}|[零一二三四五六七八九十]+)分?)?")
    else:
        p["time"] = re.compile(
            b + r"(?:(?:" + at + r")\s+)?(\d{1,2})[:.](\d{2})(?:\s*(am|pm|a\.m\.|p\.m\.|" + am + "|" + pm + "))?" + e
            + "|" + b + r"(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?!\w)"
            + "|" + b + r"(?:" + at + r")\s+(\d{1,2})(?:\s*(?:h|ч|ч\.|часа|часов|час|o'clock|oclock))?(?:\s+(" + am + "|" + pm + "))?" + e
            + ("|" + b + r"(?:ora|la ora|pe la ora)\s+(\d{1,2})" + e if lang == "ro" else ""))
    p["pm_words"] = set(f(lx.PM))
    p["noon"] = re.compile(b + "(?:" + _alt(f(lx.NOON)) + ")" + e) if lx.NOON else None
    return p


def _weekday_from_zh(ch: str) -> int:
    return {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}[ch]


def _coming(today: date, wd: int) -> date:
    delta = (wd - today.weekday()) % 7
    return today + timedelta(days=delta or 7)


def _next_week(today: date, wd: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday + timedelta(days=wd)


def _num(s: str) -> int:
    return int(s) if s.isdigit() else int(read_chinese(s) or 0)


class _Scan:
    """One message being read for its day: the patterns, the moment, and the spans used so far."""

    def __init__(self, text: str, lang: str, now: datetime, taken, measure_at):
        self.text, self.lang, self.now, self.taken, self.measure_at = text, lang, now, taken, measure_at
        self.p = _patterns(lang)
        self.today = now.date()
        self.used: list[Found] = []
        self.weak_today: Found | None = None  # "this morning": a day only when no other is named

    def hit(self, m, group=0) -> bool:
        if self.taken(m.start(group), m.end(group)):
            return False
        self.used.append(Found(m.start(group), m.end(group)))
        return True


# Each reader returns a date, ("hours", n) for "in 3 hours", or None; the first that answers wins.
def _relative(s: _Scan):
    for off, rx in s.p["rel"]:
        m = rx.search(s.text)
        if m and not s.taken(m.start(), m.end()):
            if off == 0:
                # "rang them this morning, call back Thursday": another day named wins
                s.weak_today = Found(m.start(), m.end())
                continue
            s.used.append(Found(m.start(), m.end()))
            return s.today + timedelta(days=off)
    return None


def _next_weekday(s: _Scan):
    m = s.p["next_wd"].search(s.text)
    if not (m and s.hit(m)):
        return None
    if s.lang == "zh":
        return _next_week(s.today, _weekday_from_zh(m.group(1)))
    form = next(g for g in (m.group("a"), m.group("b"), m.group("c"), m.group("d")) if g)
    return _next_week(s.today, s.p["wd_forms"][form])


def _this_weekday(s: _Scan):
    m = s.p["this_wd"].search(s.text)
    if not (m and s.hit(m)):
        return None
    wd = _weekday_from_zh(m.group(1)) if s.lang == "zh" else s.p["wd_forms"][m.group(1)]
    return _coming(s.today, wd)


def _in_n(s: _Scan):
    """"in 3 days", "через 2 недели", "3小时后": a day, or hours from now."""
    m = s.p["half_hour"].search(s.text)
    if m and s.hit(m):
        return ("hours", 0.5)
    for rx in (s.p["in_n"], s.p.get("n_from_now")):
        m = rx.search(s.text) if rx else None
        if m and s.hit(m):
            if rx is s.p["in_n"] and m.lastindex and m.lastindex > 2 and m.group(4):
                return ("hours", _num(m.group(3)) / 60)  # "in 30 min"
            n = _num(m.group(1)) if m.group(1) else 1
            word = m.group(2)
            if word == "分钟":  # "30分钟后" (the other languages' minutes are the pattern's second branch)
                return ("hours", n / 60)
            if s.lang == "zh":
                kind = "day" if word == "天" else ("hour" if "小时" in word else "week")
            else:
                kind = "day" if word in s.p["day_words"] else ("week" if word in s.p["week_words"] else "hour")
            if kind == "hour":
                return ("hours", n)
            return s.today + timedelta(days=n * (7 if kind == "week" else 1))
    return None


def _iso(s: _Scan):
    m = s.p["iso"].search(s.text)
    if m and s.hit(m):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _zh_month_day(s: _Scan):
    if s.lang != "zh":
        return None
    m = s.p["md"].search(s.text)
    return _month_day(s.today, int(m.group(1)), int(m.group(2))) if m and s.hit(m) else None


def _month_name(s: _Scan):
    if not s.p.get("month"):
        return None
    m = s.p["month"].search(s.text)
    if m and not s.taken(m.start(), m.end()):
        day = _dateparser(m.group(0), s.lang, s.now)
        if day:
            s.used.append(Found(m.start(), m.end()))
            return day
    return None


def _day_month_year(s: _Scan):
    m = s.p["dmy"].search(s.text)
    if m and s.measure_at(m.end()):
        return None  # "9.5k lv", "12.5 kg": a number with its scale or unit, not a day
    if not (m and s.hit(m)):
        return None
    a, b_ = int(m.group(1)), int(m.group(3))
    d, mo = (b_, a) if (s.lang == "en" and m.group(2) == "/" and b_ <= 31 and a <= 12) else (a, b_)
    year = int(m.group(4)) if m.group(4) else None
    if year is not None and year < 100:
        year += 2000
    try:
        return date(year, mo, d) if year else _month_day(s.today, mo, d)
    except ValueError:
        s.used.pop()
        return None


def _next_week_word(s: _Scan):
    if not s.p.get("next_week"):
        return None
    m = s.p["next_week"].search(s.text)
    return _next_week(s.today, 0) if m and s.hit(m) else None


def _day_of_month(s: _Scan):
    """A day of the month alone: "on the 18th", "18-го", "18-ти", "pe 18", "18号" -> its next occurrence."""
    if s.lang not in _DAY_OF_MONTH:
        return None
    m = _DAY_OF_MONTH[s.lang].search(s.text)
    if m and s.measure_at(m.end()):
        return None
    if m and 1 <= int(m.group(1)) <= 31 and s.hit(m):
        day = _next_day_of_month(s.today, int(m.group(1)))
        if day is None:
            s.used.pop()
        return day
    return None


_DAY_READERS = (_relative, _next_weekday, _this_weekday, _in_n, _iso, _zh_month_day, _month_name, _day_month_year,
                _next_week_word, _day_of_month)


def find(text: str, lang: str, now: datetime, taken, measure_at=lambda pos: False) -> tuple[dict, list[Found]]:
    """Returns ({"date": ...} or {"datetime": ...} or {}, the character spans used).
    `text` is already folded; `taken(start, end)` says a span belongs to another entity;
    `measure_at(pos)` says a unit, currency or scale word starts there ("около 18 тыс" is no time)."""
    s = _Scan(text, lang, now, taken, measure_at)
    found = next((r for r in (reader(s) for reader in _DAY_READERS) if r is not None), None)
    if isinstance(found, tuple):  # hours from now
        at = now + timedelta(hours=found[1])
        return {"datetime": at.replace(second=0, microsecond=0).isoformat()}, s.used
    day = found
    if day is None and s.weak_today is not None:
        day = s.today
        s.used.append(s.weak_today)

    # the time of day
    clock = _time(text, lang, s.p, s.used, taken, measure_at)
    if clock is None:
        return ({"date": day.isoformat()} if day else {}), s.used
    if day is None:
        day = s.today if clock > now.time().replace(tzinfo=None) else s.today + timedelta(days=1)
    at = datetime.combine(day, clock, tzinfo=now.tzinfo)
    return {"datetime": at.isoformat()}, s.used


def _time(text, lang, p, used, taken, measure_at) -> time | None:
    for m in p["time"].finditer(text):
        if taken(m.start(), m.end()) or any(f.start < m.end() and m.start() < f.end for f in used):
            continue  # "до 15.12" already read as the day is no time as well
        nxt = m.end() + len(text[m.end():]) - len(text[m.end():].lstrip())
        if measure_at(nxt):
            continue
        g = m.groups()
        if lang == "zh":
            hour = _num(g[1])
            minute = 30 if g[2] == "半" else (_num(g[2]) if g[2] else 0)
            pm = g[0] in ("下午", "晚上", "傍晚") or (g[0] == "中午" and hour < 3)
            explicit = g[0] is not None
        elif g[0] is not None:
            hour, minute, mark = int(g[0]), int(g[1]), g[2]
            pm, explicit = _is_pm(mark, p), mark is not None
        elif g[3] is not None:
            hour, minute, mark = int(g[3]), 0, g[4]
            pm, explicit = _is_pm(mark, p), True
        elif g[5] is not None:
            hour, minute, mark = int(g[5]), 0, g[6]
            pm, explicit = _is_pm(mark, p), mark is not None
        elif len(g) > 7 and g[7] is not None:
            hour, minute, pm, explicit = int(g[7]), 0, False, False
        else:
            continue
        if hour > 24 or minute > 59:
            continue
        if pm and hour < 12:
            hour += 12
        elif not explicit and 1 <= hour <= 6:
            hour += 12  # "at 3" at work means the afternoon
        used.append(Found(m.start(), m.end()))
        return time(hour % 24, minute)
    if p.get("noon"):
        m = p["noon"].search(text)
        if m and not taken(m.start(), m.end()):
            used.append(Found(m.start(), m.end()))
            return time(12, 0)
    return None


def _is_pm(mark, p) -> bool:
    if not mark:
        return False
    mark = mark.replace(".", "")
    return mark == "pm" or mark in p["pm_words"]


_DAY_OF_MONTH = {
    "en": re.compile(r"(?<![\w.])(?:(?:on|by|for|until|till|before|after|from)\s+the\s+|(?:on|by|until|till|before)\s+|the\s+)"
                     r"(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:floor|time|row|shelf|level|aisle))"),
    "ru": re.compile(r"(?<![\w.,])(?:к |до |на |с )?(\d{1,2})-?(?:го|ого)(?![а-я])"),
    "bg": re.compile(r"(?<![\w.,])(?:на |до |за )?(\d{1,2})-?(?:ти|ви|ри|ми)(?![а-я])"),
    "ro": re.compile(r"(?<![\w.,])(?:pe|pana pe|pana la|din|data de|in data de)\s+(\d{1,2})(?![\w.,:/-])"),
    "zh": re.compile(r"(?<![\d月])(\d{1,2})[号日](?!\d)"),
}


def _next_day_of_month(today: date, d: int) -> date | None:
    year, month = today.year, today.month
    if d < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return date(year, month, d)
    except ValueError:
        return None


def _month_day(today: date, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    if candidate < today - timedelta(days=31):
        candidate = date(today.year + 1, month, day)
    return candidate


def _dateparser(span: str, lang: str, now: datetime) -> date | None:
    import dateparser  # slow to import: only when a month name is present

    found = dateparser.parse(span, languages=[lang], settings={
        "RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future", "PREFER_DAY_OF_MONTH": "first"})
    return found.date() if found else None
