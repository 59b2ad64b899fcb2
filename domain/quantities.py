"""The one check every quantity from a person passes: typed in a message, carried by a button,
or read by the NLU. Buttons are made by us, but their payload comes back from the client and
can be forged ("order_prod:23:Infinity"); a message can say 1e30.

A quantity is a finite decimal well inside the Qty column (NUMERIC(18, 3)), with at most 3
decimals. Whether it may be zero or negative is the use case's rule (each says so in its own words).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import InvalidInput, N_

MAX_QUANTITY = Decimal("999999999999.999")  # below 10**12: far above any stock, far inside NUMERIC(18, 3)
_MILLI = Decimal("0.001")


def check_quantity(value: Decimal, *, text: str | None = None) -> Decimal:
    """value when it is a usable quantity (rounded to 3 decimals), else InvalidInput with a clear reason."""
    shown = text if text is not None else str(value)
    if not value.is_finite():
        raise InvalidInput(N_("{value} is not a quantity."), value=shown)
    if abs(value) > MAX_QUANTITY:
        raise InvalidInput(N_("{value} is too large for a quantity."), value=shown)
    rounded = value.quantize(_MILLI)
    if rounded != value:
        raise InvalidInput(N_("{value}: a quantity has at most 3 decimals."), value=shown)
    return rounded


def parse_quantity(raw: object) -> Decimal:
    """A quantity from text ("12", "2,5", " 3 ") or a number; anything else is InvalidInput."""
    value, text = _read(raw)
    return check_quantity(value, text=text)


def read_quantity(raw: object) -> Decimal:
    """parse_quantity's reading and checks, the number kept as written (2 stays 2, not 2.000)."""
    value, text = _read(raw)
    check_quantity(value, text=text)
    return value


def _read(raw: object) -> tuple[Decimal, str]:
    """(the number, the text shown when it is refused); InvalidInput when `raw` says no number."""
    if isinstance(raw, bool):
        raise InvalidInput(N_("{value} is not a quantity."), value=str(raw))
    if isinstance(raw, Decimal):
        value, text = raw, str(raw)
    elif isinstance(raw, int):
        value, text = Decimal(raw), str(raw)
    elif isinstance(raw, float):
        value, text = Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else Decimal("NaN"), repr(raw)
    else:
        text = str(raw if raw is not None else "").strip()
        candidate = text.replace(",", ".")
        # Digits, one point and a sign only: Decimal() alone would also take "Infinity", "1E+30", "1_000".
        body = candidate[1:] if candidate[:1] in "+-" else candidate
        if not body or len(body) > 40 or body.count(".") > 1 or not body.replace(".", "").isascii() \
                or not body.replace(".", "").isdigit():
            raise InvalidInput(N_("{value} is not a quantity."), value=text[:40])
        try:
            value = Decimal(candidate)
        except InvalidOperation:
            raise InvalidInput(N_("{value} is not a quantity."), value=text[:40]) from None
    return value, text[:40]


class Quantity:
    """A quantity with its unit, as a value put into a sentence: str() is English ("5 boxes",
    "10 pcs", never "10.000"); the bot shows it in the reader's words and number format."""

    __slots__ = ("value", "unit")

    def __init__(self, value, unit: str | None = None):
        self.value = Decimal(str(value)) if not isinstance(value, Decimal) else value
        self.unit = unit

    def number(self) -> str:
        return f"{self.value.normalize():f}"

    def __str__(self) -> str:
        from .units import unit_template
        from .errors import english
        if not self.unit:
            return self.number()
        template = unit_template(self.unit)
        return english(template.counted({"n": self.value})).format(n=self.number())

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731

    def __eq__(self, other) -> bool:
        return isinstance(other, Quantity) and (self.value, self.unit) == (other.value, other.unit)

    def __hash__(self) -> int:
        return hash((self.value, self.unit))

    def __repr__(self) -> str:
        return f"Quantity({self.value!r}, {self.unit!r})"
