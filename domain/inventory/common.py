"""Small helpers every warehouse use case needs: reading scanned codes and
typed quantities, finding the warehouse's working locations, row locks, and
the Note a step returns to say what happened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, or_
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..database import database_of
from ..errors import InvalidInput, N_, NotFound, english, render_template
from ..quantities import Quantity, read_quantity
from ..models import Location, LocationKind, Product
from ..record_labels import row_kind

M = TypeVar("M", bound=SQLModel)

# Working locations created on first use when a warehouse has none of that code.
RECEIVING_CODE = "DOCK-IN"
PACKING_CODE = "DOCK-OUT"
QUARANTINE_CODE = "QUARANTINE"
TRANSIT_CODE = "TRANSIT"
_SPECIAL = {
    RECEIVING_CODE: LocationKind.dock,
    PACKING_CODE: LocationKind.dock,
    QUARANTINE_CODE: LocationKind.quarantine,
    TRANSIT_CODE: LocationKind.transit,
}
# Stock in these kinds can be sold (reserved, picked); dock, quarantine and transit stock cannot.
SELLABLE_KINDS = (LocationKind.storage.value, LocationKind.pick.value)


@dataclass(frozen=True)
class Note:
    """A sentence for the person, as an untranslated template plus values (rendered by the bot)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate=english, value=None) -> str:
        """translate: the reader's gettext; value: formats numbers, quantities and dates for their locale."""
        return render_template(self.template, self.params, translate, value)


def note(template: str, **params: Any) -> Note:
    return Note(template, params)


async def locked(session: AsyncSession, model: type[M], id_: int) -> M:
    """Load a row with a row lock (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    stmt = select(model).where(model.id == id_).with_for_update().execution_options(populate_existing=True)
    row = (await session.exec(stmt)).first()
    if row is None:
        raise NotFound(N_("No such record: {what}, id {id}."), what=row_kind(model), id=id_)
    return row


def parse_quantity(value: Any, *, unit: str = "pcs") -> Decimal:
    """A strictly positive quantity (read and checked as every quantity is: domain/quantities.py);
    whole numbers only for products counted in pieces."""
    qty = read_quantity(value)
    if qty <= 0:
        raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=qty)
    if unit == "pcs" and qty != qty.to_integral_value():
        raise InvalidInput(N_("{quantity} is not a whole number of pieces."), quantity=qty)
    return qty


def parse_count(value: Any, *, unit: str = "pcs") -> Decimal:
    """Like parse_quantity, but zero is a valid count."""
    return Decimal(0) if read_quantity(value) == 0 else parse_quantity(value, unit=unit)


@dataclass(frozen=True)
class ResolvedProduct:
    product: Product
    pack_qty: Decimal  # units per scanned code (1 for a SKU or a unit barcode)


async def resolve_product(session: AsyncSession, code: str) -> ResolvedProduct:
    """A product from a typed SKU or a scanned barcode (EAN/UPC/GTIN-14 in any of its forms, GS1 element
    strings included); pack barcodes carry how many units they stand for."""
    from ..catalog.lookup import resolve_code

    code = (code or "").strip()
    if not code:
        raise InvalidInput(N_("No product code given."))
    found = await resolve_code(session, code)
    if found is None:
        raise NotFound(N_("No product with code {code}."), code=code)
    return ResolvedProduct(found.product, found.pack_qty)


async def find_location(session: AsyncSession, warehouse_id: int, code: str) -> Location | None:
    """A location of the warehouse by its code (case-insensitive) or its own barcode."""
    code = (code or "").strip()
    stmt = select(Location).where(
        Location.warehouse_id == warehouse_id,
        or_(func.upper(Location.code) == code.upper(), Location.barcode == code),
    )
    return (await session.exec(stmt)).first()


async def resolve_location(session: AsyncSession, warehouse_id: int, code: str) -> Location:
    loc = await find_location(session, warehouse_id, code)
    if loc is None:
        raise NotFound(N_("No location {code} in this warehouse."), code=code)
    return loc


async def working_location(session: AsyncSession, warehouse_id: int, code: str) -> Location:
    """The receiving dock, packing dock, quarantine or transit location of a warehouse, created on first use."""
    stmt = select(Location).where(Location.warehouse_id == warehouse_id, Location.code == code)
    loc = (await session.exec(stmt)).first()
    if loc is None:
        # Two first pickers may both find it missing: insert-or-ignore, then read whichever row won.
        await session.exec(database_of(session).insert(Location).values(warehouse_id=warehouse_id, code=code, kind=_SPECIAL[code].value)
                           .on_conflict_do_nothing())
        loc = (await session.exec(stmt)).one()
    return loc


def walking_key(loc: Location) -> tuple[str, str, str, str]:
    """Walking order through the warehouse: zone, aisle, level, then bin code."""
    return (loc.zone or "", loc.aisle or "", loc.level or "", loc.code)


def fmt_qty(q: Decimal, unit: str | None = None) -> Quantity:
    """A quantity for a sentence: 5, not 5.000; with its unit, "5 boxes" (the bot says it in the reader's words)."""
    return Quantity(Decimal(q), unit)
