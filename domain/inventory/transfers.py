"""Transfers between warehouses through the destination's transit location:
send books bin -> transit, receive books transit -> a bin of the destination."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models import Location, Product, StockQuant, Transfer, TransferLine, TransferStatus, User, Warehouse, utcnow
from .common import TRANSIT_CODE, fmt_qty, locked, parse_quantity, resolve_location, resolve_product, working_location
from .ledger import post_move
from .moves import check_destination, pick_lot
from .tasks import check_pick_face, propose_bin


@dataclass(frozen=True)
class TransferInput:
    from_bin: str
    code: str
    quantity: Decimal | int | str
    lot: str | None = None


@dataclass(frozen=True)
class TransferLineView:
    sku: str
    lot: str
    expiry: date | None
    quantity: Decimal
    from_bin: str
    to_bin: str | None


@dataclass(frozen=True)
class TransferResult:
    number: str
    status: str
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineView]
    served: list[str] = field(default_factory=list)  # waiting orders at the destination that got the goods reserved


async def _view(session: AsyncSession, t: Transfer) -> TransferResult:
    lines = []
    for tl in (await session.exec(select(TransferLine).where(TransferLine.transfer_id == t.id).order_by(TransferLine.id))).all():
        p = await session.get(Product, tl.product_id)
        src = await session.get(Location, tl.from_location_id)
        dst = await session.get(Location, tl.to_location_id) if tl.to_location_id else None
        lines.append(TransferLineView(p.sku, tl.lot, tl.expiry, tl.quantity, src.code, dst.code if dst else None))
    a = await session.get(Warehouse, t.from_warehouse_id)
    b = await session.get(Warehouse, t.to_warehouse_id)
    return TransferResult(t.number, t.status, a.code, b.code, lines)


async def send_transfer(
    session: AsyncSession, user: User, *, from_warehouse: Warehouse, to_warehouse: Warehouse,
    lines: list[TransferInput],
) -> TransferResult:
    if from_warehouse.id == to_warehouse.id:
        raise InvalidInput(N_("A transfer needs two different warehouses."))
    if not lines:
        raise InvalidInput(N_("A transfer needs at least one line."))
    transit = await working_location(session, to_warehouse.id, TRANSIT_CODE)
    t = Transfer(number=f"TR-{uuid.uuid4().hex[:10].upper()}", from_warehouse_id=from_warehouse.id,
                 to_warehouse_id=to_warehouse.id, transit_location_id=transit.id, sent_by_id=user.id)
    session.add(t)
    await session.flush()
    for given in lines:
        src = await resolve_location(session, from_warehouse.id, given.from_bin)
        resolved = await resolve_product(session, given.code)
        qty = parse_quantity(given.quantity, unit=resolved.product.unit) * resolved.pack_qty
        lot = await pick_lot(session, resolved.product, src, given.lot)
        quant = (await session.exec(select(StockQuant).where(
            StockQuant.product_id == resolved.product.id, StockQuant.location_id == src.id, StockQuant.lot == lot
        ))).first()
        expiry = quant.expiry if quant else None
        await post_move(
            session, product_id=resolved.product.id, from_location=src, to_location=transit, quantity=qty,
            reason="transfer", lot=lot, expiry=expiry, document=t.number, user_id=user.id, respect_reserved=True,
        )
        session.add(TransferLine(transfer_id=t.id, product_id=resolved.product.id, lot=lot, expiry=expiry,
                                 quantity=qty, from_location_id=src.id))
        await check_pick_face(session, src, resolved.product.id)
    await session.flush()
    return await _view(session, t)


async def receive_transfer(session: AsyncSession, user: User, number: str, *, bin_code: str | None = None) -> TransferResult:
    """Books the arrival: every line into bin_code, or into the bin proposed for its product."""
    t = (await session.exec(select(Transfer).where(Transfer.number == number.strip().upper()))).first()
    if t is None:
        raise NotFound(N_("No transfer {number}."), number=number)
    t = await locked(session, Transfer, t.id)
    if t.status != TransferStatus.in_transit:
        raise Conflict(N_("Transfer {number} was already received."), number=t.number)
    transit = await session.get(Location, t.transit_location_id)
    given = await resolve_location(session, t.to_warehouse_id, bin_code) if bin_code else None
    for tl in (await session.exec(select(TransferLine).where(TransferLine.transfer_id == t.id).order_by(TransferLine.id))).all():
        product = await session.get(Product, tl.product_id)
        dst = given or await propose_bin(session, t.to_warehouse_id, tl.product_id)
        if dst is None:
            raise InvalidInput(N_("No bin to propose for {sku} ({qty}): scan the bin it goes to."),
                               sku=product.sku, qty=fmt_qty(tl.quantity, product.unit))
        fixed = await session.get(Product, dst.fixed_product_id) if dst.fixed_product_id else None
        check_destination(dst, product, fixed.sku if fixed else None)
        await post_move(
            session, product_id=tl.product_id, from_location=transit, to_location=dst, quantity=tl.quantity,
            reason="transfer", lot=tl.lot, expiry=tl.expiry, document=t.number, user_id=user.id,
        )
        tl.to_location_id = dst.id
    t.status, t.received_by_id, t.received_at = TransferStatus.received, user.id, utcnow()
    await session.flush()
    from ..orders.backorders import serve_backorders  # (orders builds on this package)

    lines = (await session.exec(select(TransferLine).where(TransferLine.transfer_id == t.id))).all()
    served = await serve_backorders(session, t.to_warehouse_id, {tl.product_id for tl in lines})
    view = await _view(session, t)
    return TransferResult(view.number, view.status, view.from_warehouse, view.to_warehouse, view.lines, served)
