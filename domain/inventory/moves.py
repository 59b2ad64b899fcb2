"""Moving stock between bins of one warehouse by hand."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models import Location, LocationKind, Product, StockQuant, User, Warehouse
from .common import SELLABLE_KINDS, Note, fmt_qty, note, parse_quantity, resolve_location, resolve_product
from .ledger import post_move
from .counting import being_counted
from .tasks import check_pick_face


@dataclass(frozen=True)
class MoveResult:
    move_id: int
    sku: str
    quantity: Decimal
    lot: str
    from_bin: str
    to_bin: str
    refill_task_id: int | None
    happened: Note
    served: list[str] = field(default_factory=list)  # waiting orders that got the goods reserved (moved off a dock)


async def pick_lot(session: AsyncSession, product: Product, location: Location, lot: str | None) -> str:
    """The lot to take from a bin: as given, or the only one there, else the person must say which."""
    if lot:
        return lot.strip()
    lots = (await session.exec(select(StockQuant.lot).where(
        StockQuant.product_id == product.id, StockQuant.location_id == location.id, StockQuant.quantity > 0
    ).order_by(StockQuant.expiry.is_(None), StockQuant.expiry))).all()
    if not lots:
        raise NotFound(N_("There is no {sku} in {bin}."), sku=product.sku, bin=location.code)
    if len(set(lots)) > 1:
        raise InvalidInput(N_("{bin} holds several lots of {sku} ({lots}): say which one."),
                           bin=location.code, sku=product.sku, lots=", ".join(lots))
    return lots[0]


def check_destination(loc: Location, product: Product, fixed_sku: str | None = None) -> None:
    if LocationKind(loc.kind).virtual or loc.kind == LocationKind.transit:
        raise InvalidInput(N_("{bin} is not a bin goods can be moved to."), bin=loc.code)
    if loc.fixed_product_id is not None and loc.fixed_product_id != product.id:
        raise InvalidInput(N_("{bin} is reserved for {sku}."), bin=loc.code, sku=fixed_sku or "another product")


async def move_stock(
    session: AsyncSession, user: User, *, warehouse: Warehouse, from_bin: str, to_bin: str, product_code: str,
    quantity, lot: str | None = None,
) -> MoveResult:
    """Moves free (unreserved) stock from one bin to another."""
    src = await resolve_location(session, warehouse.id, from_bin)
    dst = await resolve_location(session, warehouse.id, to_bin)
    for loc in (src, dst):
        # A move would spoil the count's snapshot, and its refusal ("only 3 on hand") would tell the counter.
        if await being_counted(session, loc.id):
            raise Conflict(N_("{bin} is being counted; move stock there after the count is finished."), bin=loc.code)
    resolved = await resolve_product(session, product_code)
    product = resolved.product
    qty = parse_quantity(quantity, unit=product.unit) * resolved.pack_qty
    lot = await pick_lot(session, product, src, lot)
    fixed = await session.get(Product, dst.fixed_product_id) if dst.fixed_product_id else None
    check_destination(dst, product, fixed.sku if fixed else None)
    quant = (await session.exec(select(StockQuant).where(
        StockQuant.product_id == product.id, StockQuant.location_id == src.id, StockQuant.lot == lot
    ))).first()
    move = await post_move(
        session, product_id=product.id, from_location=src, to_location=dst, quantity=qty, reason="move", lot=lot,
        expiry=quant.expiry if quant else None, user_id=user.id, respect_reserved=True,
    )
    refill = await check_pick_face(session, src, product.id)
    served = []
    if dst.kind in SELLABLE_KINDS and src.kind not in SELLABLE_KINDS:  # put away by hand: the goods are for sale now
        from ..orders.backorders import serve_backorders  # (orders builds on this package)

        served = await serve_backorders(session, warehouse.id, [product.id])
    return MoveResult(
        move.id, product.sku, qty, lot, src.code, dst.code, refill.id if refill else None,
        note(N_("Moved {qty} of {sku} from {src} to {dst}."), qty=fmt_qty(qty, product.unit),
             sku=product.sku, src=src.code, dst=dst.code),
        served,
    )
