"""Which warehouse ships which line.

Rule: the customer's home warehouse when it can fill the whole order; else a
warehouse that can fill the whole order; else line by line — home when it
can fill the line, else any warehouse that can fill the line completely, else
home (the shortfall becomes a backorder there)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Location, StockQuant

SELLABLE = ("storage", "pick")

# availability[warehouse_id][product_id] = on hand - reserved, in sellable locations
Availability = dict[int, dict[int, Decimal]]


async def availability_for(session: AsyncSession, product_ids: list[int]) -> Availability:
    stmt = (select(Location.warehouse_id, StockQuant.product_id, func.sum(StockQuant.quantity - StockQuant.reserved))
            .join(Location, Location.id == StockQuant.location_id)
            .where(StockQuant.product_id.in_(product_ids), Location.kind.in_(SELLABLE), Location.warehouse_id.is_not(None))
            .group_by(Location.warehouse_id, StockQuant.product_id))
    out: Availability = defaultdict(dict)
    for wh, pid, qty in (await session.exec(stmt)).all():
        out[wh][pid] = Decimal(str(qty))
    return out


def allocate(*, home: int | None, lines: list[tuple[int, int, Decimal]], availability: Availability) -> dict[int, list[int]]:
    """lines: (line_id, product_id, quantity) -> {warehouse_id: [line_id, ...]}."""
    def fills(wh: int, pid: int, qty: Decimal) -> bool:
        return availability.get(wh, {}).get(pid, Decimal(0)) >= qty

    candidates = ([home] if home is not None else []) + sorted(w for w in availability if w != home)
    for wh in candidates:
        if all(fills(wh, pid, qty) for _, pid, qty in lines):
            return {wh: [lid for lid, _, _ in lines]}
    fallback = home if home is not None else (candidates[0] if candidates else None)
    plan: dict[int, list[int]] = defaultdict(list)
    for lid, pid, qty in lines:
        wh = next((w for w in candidates if fills(w, pid, qty)), fallback)
        plan[wh].append(lid)
    return dict(plan)
