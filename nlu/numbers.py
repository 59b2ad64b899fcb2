"""Numbers written as words, and Chinese numerals."""
from __future__ import annotations

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}


def compose(parts: list[tuple[str, float]]) -> float | None:
    """Combines a run of ("num", value) / ("scale", value) parts: "twenty five
    thousand" -> 25000, "двести пятьдесят" -> 250."""
    total, current, seen = 0.0, 0.0, False
    for kind, value in parts:
        if kind == "num":
            current += value
            seen = True
        else:
            current = (current or 1) * value
            if value >= 1000:
                total += current
                current = 0
            seen = True
    return total + current if seen else None


def read_chinese(text: str) -> float | None:
    """Reads 二十, 二十五, 一百二十, 两千, 3万, 1万5千, or plain digits."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, section, number = 0, 0, 0
    digits_buf = ""
    for ch in text:
        if ch.isdigit():
            digits_buf += ch
            continue
        if digits_buf:
            number = int(digits_buf)
            digits_buf = ""
        if ch in _ZH_DIGITS:
            number = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (number or 1) * _ZH_UNITS[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10000
            section, number = 0, 0
        else:
            return None
    if digits_buf:
        number = int(digits_buf)
    return total + section + number


def tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 4)
