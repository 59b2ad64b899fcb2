"""Cell parsers: turn what people type into spreadsheets into clean values.

Each parser takes the raw cell (a string from CSV; a string, number, bool or
datetime from XLSX) and returns the value, or raises BadValue with a reason
the report shows next to the line number. Empty cells never reach a parser.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies


from ..errors import N_, Np_
from ..quantities import MAX_QUANTITY
from ..text import NAME_CHARS, clean
from .reasons import Reason


class BadValue(ValueError):
    """A cell that cannot be read: its reason is a template with values (str(exc) is the English)."""

    def __init__(self, template: str, **params):
        self.reason = template if isinstance(template, Reason) else Reason(template, **params)
        super().__init__(str(self.reason))


def too_long(n: int, most: int) -> Reason:
    return Reason(Np_("{n} character, at most {most}", "{n} characters, at most {most}", "n"), n=n, most=most)


MAX_CELL_CHARS = 4000  # any cell; the text columns (codes, names, cities) are held to NAME_CHARS

# A spreadsheet takes a cell starting with one of these for a formula (OWASP "CSV injection");
# a tab or CR before it is dropped by some programs, which then see the formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s.,]*\d[\d\s.,]*")


def needs_quote(value: str) -> bool:
    """True when a program opening the file could evaluate value: it starts like a formula and is
    not a plain signed number (a phone number +359..., a quantity -5)."""
    return value.startswith(FORMULA_START) and (value[0] not in "+-" or not _PLAIN_NUMBER.fullmatch(value))


def _quoted_form(value: str) -> bool:
    """value needs an apostrophe in CSV: it would be evaluated, or it is apostrophes before such a text
    (so that '=x typed on purpose comes back as '=x and not as =x)."""
    return needs_quote(value.lstrip("'"))


def quote(value: str) -> str:
    """The CSV form of a text cell: a leading apostrophe when a spreadsheet would evaluate it."""
    return "'" + value if _quoted_form(value) else value


def unquote(value: str) -> str:
    """Reverses quote(): the apostrophe goes when what follows is in its quoted form."""
    return value[1:] if value[:1] == "'" and _quoted_form(value[1:]) else value


def short_text(value: str) -> str:
    """A code, name or city cell: hidden and control characters dropped, NAME_CHARS at most."""
    value = clean(value)
    if len(value) > NAME_CHARS:
        raise BadValue(too_long(len(value), NAME_CHARS))
    return value


def text(raw) -> str:
    """A cell as text; XLSX numbers that are whole (an SKU typed as 1234) lose the '.0'."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat()
    return str(raw).strip()


# Yes/no in the languages sheets are filled in: en, ru/bg («да», «нет», bg «не»), ro («da», «nu», «adevărat»,
# «fals»), zh (是/否, 对/不). No word is in both sets (Latin ro «da» and Cyrillic «да» are different strings).
_TRUE = {"true", "1", "yes", "y", "t", "да", "д", "da", "adevărat", "是", "是的", "对", "x"}
_FALSE = {"false", "0", "no", "n", "f", "нет", "не", "н", "nu", "fals", "否", "不", "不是"}


def boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    s = text(raw).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise BadValue(N_("{value} is not a yes/no value (true/false, 1/0, yes/no)"), value=repr(text(raw)))


_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}([ \u00a0\u202f.]?\d{3})*(,\d+)?|[+-]?\d+,\d+")


def decimal(raw, *, from_xlsx: bool = False) -> Decimal:
    """A quantity or price. CSV wants a dot; an XLSX text cell may carry a decimal comma (12,5)."""
    if isinstance(raw, bool):
        raise BadValue(N_("{value} is not a number"), value=repr(raw))
    if isinstance(raw, (int, float)):
        d = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not d.is_finite():
            raise BadValue(N_("{value} is not a number"), value=repr(raw))
        return _in_range(d)
    s = str(raw).strip()
    try:  # the common case, without a regular expression
        d = Decimal(s)
    except InvalidOperation:
        pass
    else:
        if d.is_finite() and "_" not in s:
            return _in_range(d)
        raise BadValue(N_("{value} is not a number"), value=repr(s))
    if from_xlsx and _COMMA_DECIMAL.fullmatch(s):
        digits = re.sub(r"[ \u00a0\u202f.]", "", s).replace(",", ".")
        try:
            return _in_range(Decimal(digits))
        except InvalidOperation:
            pass
    if "," in s and not from_xlsx:
        raise BadValue(N_("{value} is not a number (CSV files use a dot as the decimal separator)"), value=repr(s))
    raise BadValue(N_("{value} is not a number"), value=repr(s))


def _in_range(d: Decimal) -> Decimal:
    if abs(d) > MAX_QUANTITY:
        raise BadValue(N_("{value} is too large (at most {most})"), value=d, most=MAX_QUANTITY)
    return d


def quantity(raw, *, from_xlsx: bool = False) -> Decimal:
    value = decimal(raw, from_xlsx=from_xlsx)
    if value < 0:
        raise BadValue(N_("quantity {value} is negative"), value=value)
    return value


def money(raw, *, from_xlsx: bool = False) -> Decimal:
    """A price or amount: zero (free) or more."""
    value = decimal(raw, from_xlsx=from_xlsx)
    if value < 0:
        raise BadValue(N_("{value} is negative (prices and amounts are zero or more)"), value=value)
    return value


def whole(raw, *, from_xlsx: bool = False) -> int:
    value = decimal(raw, from_xlsx=from_xlsx)
    if value != value.to_integral_value():
        raise BadValue(N_("{value} is not a whole number"), value=repr(text(raw)))
    return int(value)


_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's phantom 1900-02-29 folded in


def day(raw) -> date:
    """ISO 8601 date; also Excel date cells and Excel serial numbers (45000 = 2023-03-15)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _serial(raw)
    s = str(raw).strip()
    try:
        return date.fromisoformat(s[:10]) if len(s) > 10 and s[10] in "T " else date.fromisoformat(s)
    except ValueError:
        pass
    if re.fullmatch(r"\d{4,5}(\.\d+)?", s):
        return _serial(float(s))
    raise BadValue(N_("{value} is not a date (use YYYY-MM-DD)"), value=repr(s))


def _serial(n: float) -> date:
    if not 1 <= n < 2958466:  # Excel's own range: 1900-01-01 .. 9999-12-31
        raise BadValue(N_("{value} is not a date"), value=repr(n))
    return (_EXCEL_EPOCH + timedelta(days=int(n))).date()


def phone(raw, region: str) -> str:
    """A phone in any local or international form, as E.164 (+359888123456)."""
    s = text(raw)
    try:
        number = phonenumbers.parse(s, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        if region:
            raise BadValue(N_("{value} is not a phone number"), value=repr(s)) from exc
        raise BadValue(N_("{value} is not a phone number (write it with its country code, +359...)"), value=repr(s)) from exc
    if not phonenumbers.is_valid_number(number):
        if region:
            raise BadValue(N_("{value} is not a valid phone number in {country}"), value=repr(s), country=region.upper())
        raise BadValue(N_("{value} is not a valid phone number"), value=repr(s))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(raw) -> str:
    s = text(raw)
    if not _EMAIL.fullmatch(s):
        raise BadValue(N_("{value} is not an e-mail address"), value=repr(s))
    return s.lower()


def country(raw) -> str:
    s = text(raw).upper()
    if not re.fullmatch(r"[A-Z]{2}", s) or phonenumbers.country_code_for_region(s) == 0:
        raise BadValue(N_("{value} is not a two-letter country code (BG, DE, CN...)"), value=repr(text(raw)))
    return s


_CURRENCIES = frozenset(list_currencies())  # ISO 4217, from the CLDR data Babel carries


def currency(raw) -> str:
    s = text(raw).upper()
    if not re.fullmatch(r"[A-Z]{3}", s) or s not in _CURRENCIES:
        raise BadValue(N_("{value} is not a currency code (EUR, USD, BGN...)"), value=repr(text(raw)))
    return s


def time_zone(raw) -> str:
    s = text(raw)
    try:
        ZoneInfo(s)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadValue(N_("{value} is not a time zone (Europe/Sofia, Asia/Shanghai...)"), value=repr(s)) from exc
    return s


def language(raw) -> str:
    s = text(raw).lower().replace("_", "-")
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", s):
        raise BadValue(N_("{value} is not a language code (en, ru, zh...)"), value=repr(text(raw)))
    try:
        Locale.parse(s.split("-")[0])
    except (UnknownLocaleError, ValueError) as exc:
        raise BadValue(N_("{value} is not a known language (en, ru, zh...)"), value=repr(text(raw))) from exc
    return s


def service_level(raw) -> str:
    """A product class (A, B, C...: planning's service_levels) or a service level as a fraction (0.97)."""
    s = text(raw)
    try:
        level = Decimal(s)
    except InvalidOperation:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,15}", s):
            raise BadValue(N_("{value} is not a class (A, B, C) or a service level between 0 and 1"), value=repr(s)) from None
        return s.upper()
    if not (0 < level < 1):
        raise BadValue(N_("service level {value} must be between 0 and 1 (e.g. 0.95)"), value=s)
    return s


def tags(raw) -> str:
    parts = [t.strip().lower() for t in re.split(r"[,;]", text(raw))]
    return ",".join(dict.fromkeys(t for t in parts if t))


def one_of(choices: tuple[str, ...]):
    def parse(raw) -> str:
        s = text(raw).lower()
        if s not in choices:
            raise BadValue(N_("{value} is not one of: {choices}"), value=repr(text(raw)), choices=", ".join(choices))
        return s

    parse.__name__ = "one_of"
    return parse


# --- barcodes -------------------------------------------------------------


def gtin_check_ok(digits: str) -> bool:
    """GS1 mod-10 check digit (EAN-8, UPC-A, EAN-13, GTIN-14)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def barcode(raw) -> tuple[str, str | None]:
    """(code, note). Numeric codes are EAN/UPC: the check digit must hold.

    Excel turns 0400638133393 into the number 400638133393; when padding the
    zeros back gives a valid EAN-13 the code is repaired (and noted; a 12-digit
    UPC-A is the same GTIN and is stored in its 13-digit form), otherwise
    the row is refused rather than stored as a code no scanner will ever read.
    """
    s = text(raw)
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    if re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", s):
        raise BadValue(N_("{value} is a barcode Excel turned into a rounded number; format the column as text and export again"), value=repr(s))
    if not s.isdigit():
        return s, None
    if len(s) in (8, 13, 14) and gtin_check_ok(s):
        return s, None
    if 9 <= len(s) <= 12:
        padded = s.rjust(13, "0")
        if gtin_check_ok(padded):
            return padded, Reason(N_("barcode {code} lost its leading zero; stored as {stored}"), code=s, stored=padded)
        raise BadValue(N_("{value} is not a valid EAN-13 even with its leading zeros restored (check digit does not match)"), value=repr(s))
    if len(s) in (8, 13, 14):
        raise BadValue(N_("{value} is not a valid EAN/UPC code (check digit does not match)"), value=repr(s))
    return s, None
