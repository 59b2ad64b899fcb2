"""Which orders a picker can start, most urgent first, and which still wait for stock.

Confirmed orders nobody reserved are reserved first, as far as stock allows; a partly shipped
order is back on the list once stock for its rest is reserved."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import OrderStatus, SalesOrder, StockReservation
from . import reservations


@dataclass(frozen=True)
class Waiting:
    order: SalesOrder
    short: list[tuple[str, Decimal]]  # (sku, quantity still missing)


@dataclass(frozen=True)
class PickQueue:
    pickable: list[SalesOrder]  # most urgent first: priority, then promised date, then age
    waiting: list[Waiting]  # nothing of theirs in free stock yet


async def pick_queue(session: AsyncSession, warehouse_id: int, *, limit: int = 12) -> PickQueue:
    results = await reservations.reserve_waiting(session, warehouse_id)
    ready = (await session.exec(select(SalesOrder).where(
        SalesOrder.warehouse_id == warehouse_id, or_(SalesOrder.status.in_([OrderStatus.reserved, OrderStatus.confirmed]),
            (SalesOrder.status == OrderStatus.partially_shipped)
            & SalesOrder.id.in_(select(StockReservation.order_id).where(StockReservation.quantity > 0))))
        .order_by(SalesOrder.priority.desc(), SalesOrder.promised_date.is_(None), SalesOrder.promised_date, SalesOrder.id)
        .limit(limit))).all()
    pickable, waiting = [], []
    for order in ready:
        res = results.get(order.id)
        if res is not None and all(ln.reserved_total == 0 for ln in res.lines):
            waiting.append(Waiting(order, [(ln.sku, ln.short) for ln in res.lines if ln.short > 0]))
        else:
            pickable.append(order)
    return PickQueue(pickable, waiting)
