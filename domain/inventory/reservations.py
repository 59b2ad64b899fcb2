"""Reserving stock for sales orders.

A reservation ties one order line to stock in one bin and lot; the same
amount is added to StockQuant.reserved in the same transaction, under the
quant's row lock, so reserved never exceeds on hand and two orders cannot
both reserve the last unit. Lot-tracked stock is reserved first-expiry-first.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import (
    Location, OrderStatus, PickList, PickListStatus, PickStepKind, PickTask, Product, SalesOrder, SalesOrderLine, StockQuant,
    StockReservation,
)
from ..models.base import Qty
from .common import SELLABLE_KINDS, locked
from .core_sql import connection, refresh_loaded, round3
from ..status_labels import ORDER, Status


@dataclass(frozen=True)
class LineReservation:
    """What one reservation call did to an order line, and where the line stands after it."""

    line_no: int
    sku: str
    ordered: Decimal
    reserved_now: Decimal  # added by this call
    reserved_total: Decimal  # reserved and not yet picked
    picked: Decimal
    short: Decimal  # still neither reserved nor picked


@dataclass(frozen=True)
class ReservationResult:
    order_number: str
    status: str
    lines: list[LineReservation]

    @property
    def complete(self) -> bool:
        return all(line.short == 0 for line in self.lines)


async def quant_for_update(session: AsyncSession, product_id: int, location_id: int, lot: str) -> StockQuant | None:
    stmt = (
        select(StockQuant)
        .where(StockQuant.product_id == product_id, StockQuant.location_id == location_id, StockQuant.lot == lot)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(stmt)).first()


async def change_reserved(session: AsyncSession, reservation: StockReservation, delta: Decimal) -> None:
    """Moves reservation.quantity and the quant's reserved together (delta may be negative)."""
    quant = await quant_for_update(session, reservation.product_id, reservation.location_id, reservation.lot)
    if quant is None:
        raise Conflict(N_("No stock record behind a reservation in this bin."))
    new_reserved = quant.reserved + delta
    if new_reserved < 0 or reservation.quantity + delta < 0:
        raise Conflict(N_("A reservation would become negative."))
    if delta > 0 and new_reserved > quant.quantity:
        raise Conflict(N_("Cannot reserve more than is on hand."))
    quant.reserved = new_reserved
    reservation.quantity = reservation.quantity + delta


_quants = StockQuant.__table__
_RELEASE = (
    sa.update(_quants)
    .where(_quants.c.product_id == sa.bindparam("k_product"), _quants.c.location_id == sa.bindparam("k_location"),
           _quants.c.lot == sa.bindparam("k_lot"), _quants.c.reserved >= sa.bindparam("k_qty", type_=Qty()))
    .values(reserved=round3(_quants.c.reserved - sa.bindparam("k_qty", type_=Qty())))
    .returning(_quants.c.id, _quants.c.reserved)
)


async def release_quant_reserved(session: AsyncSession, product_id: int, location_id: int, lot: str, qty: Decimal) -> None:
    """Gives `qty` of a bin's reserved stock back (the reservation itself was lowered by the caller):
    one guarded UPDATE instead of a locked read and a write."""
    conn = await connection(session)
    key = dict(k_product=product_id, k_location=location_id, k_lot=lot)
    row = (await conn.execute(_RELEASE, dict(key, k_qty=qty))).first()
    if row is None:
        exists = await quant_for_update(session, product_id, location_id, lot)
        if exists is None:
            raise Conflict(N_("No stock record behind a reservation in this bin."))
        raise Conflict(N_("A reservation would become negative."))
    refresh_loaded(session, StockQuant, row.id, reserved=row.reserved)


async def _order_lines(session: AsyncSession, order_id: int) -> list[SalesOrderLine]:
    stmt = select(SalesOrderLine).where(SalesOrderLine.order_id == order_id).order_by(SalesOrderLine.line_no)
    return list((await session.exec(stmt.execution_options(populate_existing=True))).all())


async def reserve_order(session: AsyncSession, order: SalesOrder) -> ReservationResult:
    """Reserves what is still missing on every line from the order's warehouse; partial when short."""
    order = await locked(session, SalesOrder, order.id)
    if order.status not in (OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.picking, OrderStatus.partially_shipped):
        raise InvalidInput(
            N_("Order {number} is {status}; only confirmed orders can be reserved."),
            number=order.number, status=Status(ORDER, order.status),
        )
    if order.warehouse_id is None:
        raise InvalidInput(N_("Order {number} has no warehouse to reserve from."), number=order.number)

    results = []
    # Lines in product order, quants in a fixed order: concurrent reservations lock rows in the same order.
    for line in sorted(await _order_lines(session, order.id), key=lambda l: (l.product_id, l.line_no)):
        product = await session.get(Product, line.product_id)
        need = line.quantity - line.cancelled_qty - line.reserved_qty - line.picked_qty
        added = Decimal(0)
        if need > 0:
            stmt = (
                select(StockQuant, Location)
                .join(Location, Location.id == StockQuant.location_id)
                .where(
                    StockQuant.product_id == line.product_id,
                    Location.warehouse_id == order.warehouse_id,
                    Location.kind.in_(SELLABLE_KINDS),
                    StockQuant.quantity > StockQuant.reserved,
                )
                # FEFO: earliest expiry first (no expiry last); then pick faces before reserve storage.
                .order_by(
                    StockQuant.expiry.is_(None), StockQuant.expiry,
                    (Location.kind != "pick"), StockQuant.id,
                )
                .with_for_update(of=StockQuant)
                .execution_options(populate_existing=True)
            )
            for quant, loc in (await session.exec(stmt)).all():
                if need <= 0:
                    break
                take = min(quant.quantity - quant.reserved, need)
                if take <= 0:
                    continue
                res = (await session.exec(select(StockReservation).where(
                    StockReservation.order_line_id == line.id,
                    StockReservation.location_id == loc.id,
                    StockReservation.lot == quant.lot,
                ))).first()
                if res is None:
                    res = StockReservation(
                        order_id=order.id, order_line_id=line.id, product_id=line.product_id,
                        location_id=loc.id, lot=quant.lot, expiry=quant.expiry, quantity=Decimal(0),
                    )
                    session.add(res)
                res.quantity = res.quantity + take
                quant.reserved = quant.reserved + take
                need -= take
                added += take
            line.reserved_qty = line.reserved_qty + added
        results.append(LineReservation(
            line_no=line.line_no, sku=product.sku, ordered=line.quantity, reserved_now=added,
            reserved_total=line.reserved_qty, picked=line.picked_qty,
            short=max(line.quantity - line.cancelled_qty - line.reserved_qty - line.picked_qty, Decimal(0)),
        ))
    results.sort(key=lambda r: r.line_no)
    result = ReservationResult(order.number, order.status, results)
    # An order without lines is not "reserved"; a partly shipped one whose rest is now all reserved is picked again.
    if results and result.complete and order.status in (OrderStatus.confirmed, OrderStatus.partially_shipped):
        order.status = OrderStatus.reserved
    await session.flush()
    return ReservationResult(order.number, order.status, results)


async def release_order(session: AsyncSession, order: SalesOrder) -> Decimal:
    """Gives back everything reserved and not yet picked; cancels an open pick list. Returns the quantity released."""
    from .picking import lock_pick_list  # (picking imports this module through pick_booking)

    order = await locked(session, SalesOrder, order.id)
    # A pick confirmation locks its list and tasks, then the reservation, then the quants: the same
    # order here, so releasing an order while it is picked waits for the pick instead of deadlocking.
    for pick_list_id in (await session.exec(select(PickList.id).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ))).all():
        await lock_pick_list(session, pick_list_id)
    released = Decimal(0)
    reservations = (await session.exec(
        select(StockReservation)
        .where(StockReservation.order_id == order.id, StockReservation.quantity > 0)
        .order_by(StockReservation.product_id, StockReservation.id)
        .with_for_update().execution_options(populate_existing=True)
    )).all()
    lines = {line.id: line for line in await _order_lines(session, order.id)}
    for res in reservations:
        qty = res.quantity
        await change_reserved(session, res, -qty)
        lines[res.order_line_id].reserved_qty = lines[res.order_line_id].reserved_qty - qty
        released += qty
    for pl in (await session.exec(select(PickList).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ))).all():
        pl.status = PickListStatus.cancelled
        for task in (await session.exec(select(PickTask).where(
            PickTask.pick_list_id == pl.id, PickTask.step != PickStepKind.done
        ))).all():
            task.step = PickStepKind.done
    if order.status in (OrderStatus.reserved, OrderStatus.picking):
        any_picked = any(line.picked_qty > 0 for line in lines.values())
        order.status = OrderStatus.picking if any_picked else OrderStatus.confirmed
    await session.flush()
    return released


async def reserved_total(session: AsyncSession, order_id: int) -> Decimal:
    total = (await session.exec(select(func.coalesce(func.sum(StockReservation.quantity), 0)).where(
        StockReservation.order_id == order_id
    ))).one()
    return Decimal(str(total))


async def trim_reservations(session: AsyncSession, quant: StockQuant) -> Decimal:
    """After stock was lost from a bin (a count), gives back reservations that no longer have stock behind them.

    Latest reservations lose first. Returns the quantity released.
    """
    excess = quant.reserved - max(quant.quantity, Decimal(0))
    released = Decimal(0)
    if excess <= 0:
        return released
    reservations = (await session.exec(
        select(StockReservation).where(
            StockReservation.product_id == quant.product_id, StockReservation.location_id == quant.location_id,
            StockReservation.lot == quant.lot, StockReservation.quantity > 0,
        ).order_by(StockReservation.id.desc()).with_for_update().execution_options(populate_existing=True)
    )).all()
    for res in reservations:
        if excess <= 0:
            break
        give = min(res.quantity, excess)
        res.quantity = res.quantity - give
        quant.reserved = quant.reserved - give
        line = await locked(session, SalesOrderLine, res.order_line_id)
        line.reserved_qty = line.reserved_qty - give
        excess -= give
        released += give
    return released


async def reserve_waiting(session: AsyncSession, warehouse_id: int, limit: int = 50) -> dict[int, ReservationResult]:
    """Reserves for confirmed orders of a warehouse that still miss a reservation, most urgent first
    (priority, promised date, order date), as far as free stock allows. Returns each order's result:
    what is still short says why it can't be picked (yet)."""
    stmt = (select(SalesOrder).where(SalesOrder.warehouse_id == warehouse_id, SalesOrder.status == OrderStatus.confirmed)
            .order_by(SalesOrder.priority.desc(), SalesOrder.promised_date.is_(None), SalesOrder.promised_date,
                      SalesOrder.order_date, SalesOrder.id).limit(limit))
    out = {}
    for order in (await session.exec(stmt)).all():
        out[order.id] = await reserve_order(session, order)
    return out
