"""Column types shared by every table.

Timestamps are stored in UTC and always come back time-zone aware, on SQLite
(which has no time zones) as on PostgreSQL. Quantities and money are decimals.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


_MILLI = Decimal("0.001")
_LIMIT = Decimal(10) ** 15  # NUMERIC(18, 3)


class Qty(TypeDecorator):
    """Decimal quantity; SQLite keeps it as REAL, so results are re-quantised."""

    impl = sa.Numeric(18, 3)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Float())
        return dialect.type_descriptor(sa.Numeric(18, 3))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        # The last guard: Infinity, NaN or 1e30 in a quantity column breaks every later read of the row.
        if not value.is_finite() or abs(value) >= _LIMIT:
            raise ValueError(f"quantity {value} is not storable (finite, below 10**15)")
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(repr(float(value))).quantize(_MILLI) if dialect.name == "sqlite" else Decimal(value)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def ts_field(nullable: bool = False, default_now: bool = False, index: bool = False):
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_type=UTCDateTime(), nullable=nullable, index=index, **kwargs)


def qty_field(default: Decimal | int = 0, nullable: bool = False):
    return Field(default=Decimal(default), sa_type=Qty(), nullable=nullable)


def optional_qty_field():
    return Field(default=None, sa_type=Qty(), nullable=True)


money_field = optional_qty_field
