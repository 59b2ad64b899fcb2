"""Stock questions answered from the StockQuant cache (one indexed read, not a ledger scan).

on_hand counts every real location (docks, quarantine, transit included);
available is what can still be promised: sellable bins (storage, pick) minus
what is reserved.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, case, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Location, LocationKind, Product, StockMove, StockQuant, Warehouse
from .common import SELLABLE_KINDS
from .counting import hidden_bins_for
from .core_sql import connection

_VIRTUAL = [k.value for k in LocationKind if k.virtual]


@dataclass(frozen=True)
class StockLevel:
    """A product's stock summed over the asked place: on hand in every real location, reserved
    for orders, and available (sellable bins minus reserved, see the module docstring)."""

    on_hand: Decimal
    reserved: Decimal
    available: Decimal


@dataclass(frozen=True)
class StockRow:
    warehouse: str
    bin: str
    kind: str
    lot: str
    expiry: date | None
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved if self.kind in SELLABLE_KINDS else Decimal(0)


def _dec(v) -> Decimal:
    return Decimal(str(v or 0)).quantize(Decimal("0.001"))


_quants = StockQuant.__table__
_locations = Location.__table__


@functools.cache
def _level_stmt(by_warehouse: bool, by_location: bool):
    """Built once per filter combination: building and caching a statement per call costs more than running it."""
    q, loc = _quants.c, _locations.c
    stmt = (
        select(
            func.sum(q.quantity),
            func.sum(q.reserved),
            func.sum(case((loc.kind.in_(SELLABLE_KINDS), q.quantity - q.reserved), else_=0)),
        )
        .join_from(_quants, _locations, loc.id == q.location_id)
        .where(q.product_id == bindparam("product_id"))
    )
    if by_warehouse:
        stmt = stmt.where(loc.warehouse_id == bindparam("warehouse_id"))
    if by_location:
        stmt = stmt.where(q.location_id == bindparam("location_id"))
    return stmt


async def stock_level(
    session: AsyncSession, product_id: int, *, warehouse_id: int | None = None, location_id: int | None = None,
) -> StockLevel:
    """One indexed read of the cache, run as a Core statement on the session's connection: the ORM
    query it replaces spent ~0.7 ms of Python per call around a 0.1 ms query."""
    conn = await connection(session)
    stmt = _level_stmt(warehouse_id is not None, location_id is not None)
    params = {"product_id": product_id, "warehouse_id": warehouse_id, "location_id": location_id}
    on_hand, reserved, available = (await conn.execute(stmt, params)).one()
    return StockLevel(_dec(on_hand), _dec(reserved), _dec(available))


async def stock_rows(
    session: AsyncSession, product_id: int, *, warehouse_id: int | None = None, location_id: int | None = None,
) -> list[StockRow]:
    """Per bin and lot, first expiry first: lots and expiries of a product."""
    stmt = (
        select(StockQuant, Location, Warehouse)
        .join(Location, Location.id == StockQuant.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(StockQuant.product_id == product_id, StockQuant.quantity != 0)
        .order_by(Warehouse.code, StockQuant.expiry.is_(None), StockQuant.expiry, Location.code, StockQuant.lot)
    )
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    if location_id is not None:
        stmt = stmt.where(StockQuant.location_id == location_id)
    return [StockRow(w.code, loc.code, loc.kind, q.lot, q.expiry, q.quantity, q.reserved)
            for q, loc, w in (await session.exec(stmt)).all()]


async def ledger_on_hand(session: AsyncSession, product_id: int, *, warehouse_id: int | None = None) -> Decimal:
    """On hand summed from the ledger itself (in minus out of real locations): the slow, authoritative answer."""
    dst = Location.__table__.alias("dst")
    src = Location.__table__.alias("src")
    inbound = select(func.sum(StockMove.quantity)).join(dst, dst.c.id == StockMove.to_location_id).where(
        StockMove.product_id == product_id, dst.c.kind.not_in(_VIRTUAL))
    outbound = select(func.sum(StockMove.quantity)).join(src, src.c.id == StockMove.from_location_id).where(
        StockMove.product_id == product_id, src.c.kind.not_in(_VIRTUAL))
    if warehouse_id is not None:
        inbound = inbound.where(dst.c.warehouse_id == warehouse_id)
        outbound = outbound.where(src.c.warehouse_id == warehouse_id)
    a = (await session.exec(inbound)).one()
    b = (await session.exec(outbound)).one()
    a = a[0] if isinstance(a, tuple) else a
    b = b[0] if isinstance(b, tuple) else b
    return _dec(a) - _dec(b)


class BinHidden(Exception):
    """The person is counting this bin blind: its records are not shown until the count is finished."""


async def bin_contents(session: AsyncSession, location: Location, reader) -> list[tuple[StockQuant, Product]]:
    """What the records hold in a bin (products with a quantity, lot by lot), for a person who may
    see it; BinHidden while that person counts the bin blind."""
    if location.id in await hidden_bins_for(session, reader):
        raise BinHidden(location.code)
    return list((await session.exec(select(StockQuant, Product).join(Product, Product.id == StockQuant.product_id)
                                    .where(StockQuant.location_id == location.id, StockQuant.quantity != 0))).all())
