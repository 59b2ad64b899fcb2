"""The stock ledger: the only way stock changes.

post_move() appends an immutable StockMove and updates the StockQuant cache of
both locations in the same transaction. Nothing edits or deletes a move; a
correction is another move.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import Location, LocationKind, StockMove, StockQuant, Warehouse


def _fmt(q: Decimal) -> str:
    return f"{Decimal(q).normalize():f}"


async def virtual_location(session: AsyncSession, kind: LocationKind) -> Location:
    """The company-wide virtual location of a kind (supplier, customer, adjustment, scrap), created on first use."""
    loc = (await session.exec(select(Location).where(Location.kind == kind, Location.warehouse_id.is_(None)))).first()
    if loc is None:
        loc = Location(code=f"VIRTUAL/{kind.value.upper()}", kind=kind)
        session.add(loc)
        await session.flush()
    return loc


async def _quant(session: AsyncSession, product_id: int, location_id: int, lot: str, *, for_update: bool) -> StockQuant | None:
    stmt = select(StockQuant).where(
        StockQuant.product_id == product_id, StockQuant.location_id == location_id, StockQuant.lot == lot
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def post_move(
    session: AsyncSession,
    *,
    product_id: int,
    from_location: Location,
    to_location: Location,
    quantity: Decimal | int,
    reason: str,
    lot: str = "",
    expiry: date | None = None,
    document: str | None = None,
    user_id: int | None = None,
    allow_negative: bool | None = None,
    respect_reserved: bool = False,
) -> StockMove:
    """Books one move. With respect_reserved=True the move may only take stock
    that is not reserved for an order (bin-to-bin moves, transfers, refills)."""
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=quantity)
    if from_location.id == to_location.id:
        raise InvalidInput(N_("Source and destination are the same location {code}."), code=from_location.code)

    if not LocationKind(from_location.kind).virtual:
        src = await _quant(session, product_id, from_location.id, lot, for_update=True)
        available = src.quantity if src else Decimal(0)
        if allow_negative is None:
            wh = await session.get(Warehouse, from_location.warehouse_id) if from_location.warehouse_id else None
            allow_negative = bool(wh and wh.allow_negative)
        if available < quantity and not allow_negative:
            raise Conflict(
                N_("Only {available} on hand in {location}, cannot take {quantity}."),
                available=_fmt(available), location=from_location.code, quantity=_fmt(quantity),
            )
        if respect_reserved and src is not None and available - src.reserved < quantity:
            raise Conflict(
                N_("Only {free} of {available} in {location} are free (the rest is reserved), cannot take {quantity}."),
                free=_fmt(available - src.reserved), available=_fmt(available), location=from_location.code, quantity=_fmt(quantity),
            )
        if src is None:
            src = StockQuant(product_id=product_id, location_id=from_location.id, lot=lot, expiry=expiry, quantity=Decimal(0))
            session.add(src)
        src.quantity = available - quantity

    if not LocationKind(to_location.kind).virtual:
        dst = await _quant(session, product_id, to_location.id, lot, for_update=True)
        if dst is None:
            dst = StockQuant(product_id=product_id, location_id=to_location.id, lot=lot, expiry=expiry, quantity=Decimal(0))
            session.add(dst)
        dst.quantity = dst.quantity + quantity
        if expiry and not dst.expiry:
            dst.expiry = expiry

    move = StockMove(
        product_id=product_id, from_location_id=from_location.id, to_location_id=to_location.id,
        quantity=quantity, lot=lot, expiry=expiry, reason=reason, document=document, user_id=user_id,
    )
    session.add(move)
    await session.flush()
    return move
