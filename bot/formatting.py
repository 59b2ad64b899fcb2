"""Numbers, money, dates and times in the person's locale and time zone (Babel),
and typed numbers parsed back the same way ("1 234,5", "1.234,50 лв." -> Decimal).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel import Locale, numbers
from babel.dates import format_date as _format_date, format_datetime as _format_datetime

from domain.errors import DomainError, N_
from domain.quantities import check_quantity

# Bot language -> the Babel locale whose conventions its speakers expect.
LOCALES = {"en": "en_GB", "ru": "ru_RU", "bg": "bg_BG", "ro": "ro_RO", "zh": "zh_Hans_CN"}


def locale_for(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, lang))


def format_number(value, lang: str, *, max_decimals: int = 3) -> str:
    """1234.5 -> '1,234.5' (en), '1 234,5' (ru/bg), '1.234,5' (ro); no trailing zeros."""
    pattern = "#,##0." + "#" * max_decimals if max_decimals else "#,##0"
    return numbers.format_decimal(Decimal(str(value)), format=pattern, locale=locale_for(lang))


def format_amount(value, lang: str) -> str:
    """A money amount without its currency (templates show the code next to it): '1 234,50'."""
    return numbers.format_decimal(Decimal(str(value)), format="#,##0.00", locale=locale_for(lang))


def format_money(amount, currency: str, lang: str) -> str:
    """1234.5, 'BGN' -> '1 234,50 лв.' (bg), '€1,234.50' (en)."""
    return numbers.format_currency(Decimal(str(amount)), currency, locale=locale_for(lang))


def format_date(day: date, lang: str, *, style: str = "medium") -> str:
    return _format_date(day, format=style, locale=locale_for(lang))


def format_datetime(moment: datetime, lang: str, tz: str | ZoneInfo, *, style: str = "short") -> str:
    """An aware (UTC) datetime shown in the person's time zone; naive ones are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local = moment.astimezone(zone)
    if style == "short":  # the day in the locale's one date format (as format_date), then the time
        loc = locale_for(lang)
        pattern = str(loc.datetime_formats.get("medium", "{1}, {0}"))
        return pattern.replace("{1}", format_date(local.date(), lang)).replace("{0}", format_time(local, lang))
    return _format_datetime(local, format=style, locale=locale_for(lang), tzinfo=zone)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_number(text: str, lang: str) -> Decimal:
    """A number as the person typed it: '1 234,5' / '1.234,50 лв.' (bg) / '1,234.5' (en) / '12'.

    Currency symbols or codes around it are ignored. The locale decides which mark is
    decimal; a lone mark that cannot be a group separator (not followed by exactly three
    digits) is taken as decimal, since people type '2.5' and '2,5' in every language.
    """
    loc = locale_for(lang)
    decimal_mark = numbers.get_decimal_symbol(loc)
    group_mark = numbers.get_group_symbol(loc)
    core = re.search(r"[-+]?\d[\d\s\u00a0\u202f\u2009'.,]*", text or "")
    if core is None:
        raise DomainError(N_("{value} is not a quantity."), value=(text or "").strip())
    before, after = text[:core.start()], text[core.end():]
    prefix = before.strip()
    currency_prefix = re.fullmatch(r"[A-Z]{3}|[^\w\s]+", prefix) is not None  # "BGN 12", "€12"
    if (prefix and not currency_prefix) or any(c.isdigit() for c in after):
        # "A-01-02" or "10 of 12" is not one number: refuse rather than guess.
        raise DomainError(N_("{value} is not a quantity."), value=text.strip())
    raw = _SPACES.sub("", core.group(0)).rstrip(".,")
    if _SPACES.sub("", group_mark) == "":
        group_mark = ""  # the group mark is a space, already removed
    marks = set(re.findall(r"[.,]", raw))
    if len(marks) == 2:
        # Both present: the last one is the decimal mark, whatever the locale says.
        dec = "." if raw.rfind(".") > raw.rfind(",") else ","
        raw = raw.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif len(marks) == 1:
        mark = marks.pop()
        groups = raw.split(mark)
        looks_grouped = len(groups) > 2 or (len(groups) == 2 and len(groups[1]) == 3)
        if mark == decimal_mark and len(groups) == 2:
            raw = raw.replace(mark, ".")
        elif mark == group_mark and looks_grouped and all(len(g) == 3 for g in groups[1:]):
            raw = raw.replace(mark, "")
        elif len(groups) == 2:
            raw = raw.replace(mark, ".")
        else:
            raw = raw.replace(mark, "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(N_("{value} is not a quantity."), value=text.strip()) from None
    return check_quantity(value, text=text.strip()[:40])  # in range, at most 3 decimals


def parse_money(text: str, lang: str, default_currency: str) -> tuple[Decimal, str]:
    """'1.234,50 лв.' (bg) -> (Decimal('1234.50'), 'BGN'); the currency from its symbol or code when given."""
    amount = parse_number(text, lang)
    rest = re.sub(r"[-+]?\d[\d\s\u00a0\u202f\u2009'.,]*", " ", text).strip().rstrip(".").strip()
    currency = default_currency
    if rest:
        loc = locale_for(lang)
        upper = rest.upper()
        if re.fullmatch(r"[A-Z]{3}", upper) and upper in numbers.list_currencies():
            currency = upper
        else:
            for code in (default_currency, "BGN", "EUR", "RON", "RUB", "CNY", "USD", "GBP"):
                if rest in (numbers.get_currency_symbol(code, loc).rstrip("."), numbers.get_currency_symbol(code, loc)):
                    currency = code
                    break
    return amount, currency


def format_quantity(value, unit: str | None, lang: str) -> str:
    """10, 'pcs' -> '10 шт.' (ru), '5 коробок', '5 箱' (zh), '1,5 kg' (ro): the number in the locale's
    format (no decimals for a whole quantity), the unit in the language's plural form."""
    from domain.units import unit_template

    from .i18n import translate

    number = format_number(value, lang)
    if not unit:
        return number
    return translate(lang, unit_template(unit).counted({"n": Decimal(str(value))})).format(n=number)


def unit_word(unit: str, lang: str) -> str:
    """The unit alone as after "how many" (ru коробок, bg кашона, ro cutii, zh 箱): the form a count
    of five takes, without the number."""
    from domain.units import unit_template

    from .i18n import translate

    return translate(lang, unit_template(unit).counted({"n": 5})).format(n="").strip()


def localise(value, lang: str, tz: str | ZoneInfo | None = None):
    """A value put into a sentence, in the reader's format: quantities with their unit, numbers
    without trailing zeros, dates in the locale's one date format; anything else as it is."""
    from domain.quantities import Quantity
    from domain.units import UnitWord

    if isinstance(value, Quantity):
        return format_quantity(value.value, value.unit, lang)
    if isinstance(value, UnitWord):
        return unit_word(value.unit, lang)
    if isinstance(value, bool):
        return value
    if isinstance(value, (Decimal, float)):
        return format_number(value, lang)
    if isinstance(value, datetime):
        return format_datetime(value, lang, tz or "UTC")
    if isinstance(value, date):
        return format_date(value, lang)
    return value


def format_time(moment: datetime, lang: str, tz: str | ZoneInfo | None = None) -> str:
    """A time of day in the locale's short form ('10:00', '上午10:00'); converted to tz when given."""
    from babel.dates import format_time as _format_time

    if tz is not None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        moment = moment.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))
    return _format_time(moment, format="short", locale=locale_for(lang))


def format_percent(value, lang: str) -> str:
    """0.42 -> '42%' (en), '42 %' (ru, bg, ro): the locale's percent sign and spacing."""
    return numbers.format_percent(value, locale=locale_for(lang))


# Scripts written without spaces between words (CJK ideographs, kana, hangul): a cut anywhere is a cut between words.
_NO_SPACES = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def shorten(text: str, limit: int) -> str:
    """text in at most limit characters, for a button or a one-line preview: cut at the last space
    (anywhere between Chinese characters) and ended with "…", so no word is cut in half."""
    if len(text) <= limit:
        return text
    head, after = text[:limit - 1], text[limit - 1]
    mid_word = after.isalnum() and head[-1].isalnum() and not (_NO_SPACES.match(after) or _NO_SPACES.match(head[-1]))
    if mid_word:
        space = max(head.rfind(" "), head.rfind("\u00a0"))
        if space > limit // 2:  # a very long word is still cut, rather than leave the label nearly empty
            head = head[:space]
    return head.rstrip(" \u00a0,;:.-—，、；：") + "…"
