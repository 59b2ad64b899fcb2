"""The daily stock-exception digest: what needs a manager's look today.

Parts whose tables belong to features not installed in this database (stock
reservations, cycle counts) are left out and named in `missing`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Customer, Location, LocationKind, OrderStatus, Product, SalesOrder, StockQuant

NOT_SHIPPED = (OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.picking, OrderStatus.packed,
               OrderStatus.partially_shipped)  # a part is still owed


@dataclass
class StockLine:
    sku: str
    product: str
    location: str
    quantity: float
    minimum: float | None = None


@dataclass
class Digest:
    day: date
    negative: list[StockLine] = field(default_factory=list)
    low: list[StockLine] = field(default_factory=list)  # pick faces below their minimum
    old_reservations: int | None = None  # None: reservations are not kept in this database
    old_reservation_days: int = 0
    counts_awaiting_approval: int | None = None
    due_not_shipped: list[tuple[str, str, str]] = field(default_factory=list)  # (order, customer, status)
    stale_drafts: list[tuple[str, str, date]] = field(default_factory=list)  # (PO, supplier, drafted on): never sent
    draft_days: int = 0

    @property
    def empty(self) -> bool:
        return not (self.negative or self.low or self.old_reservations or self.counts_awaiting_approval
                    or self.due_not_shipped or self.stale_drafts)


async def stock_exception_digest(session: AsyncSession, *, today: date, now: datetime,
                                 reservation_days: int = 3, limit: int = 30, draft_days: int = 3) -> Digest:
    digest = Digest(day=today, old_reservation_days=reservation_days, draft_days=draft_days)
    neg = (await session.exec(
        select(Product.sku, Product.name, Location.code, StockQuant.quantity)
        .join(Product, Product.id == StockQuant.product_id).join(Location, Location.id == StockQuant.location_id)
        .where(StockQuant.quantity < 0, Location.kind == LocationKind.storage)
        .order_by(StockQuant.quantity).limit(limit))).all()
    digest.negative = [StockLine(s, n, loc, float(q)) for s, n, loc, q in neg]
    on_face = (select(func.coalesce(func.sum(StockQuant.quantity), 0))
               .where(StockQuant.location_id == Location.id, StockQuant.product_id == Location.fixed_product_id)
               .scalar_subquery())
    low = (await session.exec(
        select(Product.sku, Product.name, Location.code, on_face, Location.min_qty)
        .join(Product, Product.id == Location.fixed_product_id)
        .where(Location.min_qty.is_not(None), on_face < Location.min_qty).order_by(Product.sku).limit(limit))).all()
    digest.low = [StockLine(s, n, loc, float(q), float(m)) for s, n, loc, q, m in low]
    tables = SQLModel.metadata.tables
    reservations = tables.get("stock_reservations")
    if reservations is not None:
        digest.old_reservations = (await session.exec(
            select(func.count()).select_from(reservations).where(
                reservations.c.quantity > 0, reservations.c.created_at < now - timedelta(days=reservation_days)))).one()
    counts = tables.get("count_tasks")
    if counts is not None:
        digest.counts_awaiting_approval = (await session.exec(
            select(func.count()).select_from(counts).where(counts.c.status == "awaiting_approval"))).one()
    due = (await session.exec(
        select(SalesOrder.number, Customer.name, SalesOrder.status).join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.promised_date <= today, SalesOrder.status.in_(NOT_SHIPPED))
        .order_by(SalesOrder.promised_date, SalesOrder.number).limit(limit))).all()
    digest.due_not_shipped = [(n, c, str(s)) for n, c, s in due]
    from ..purchasing.orders import stale_drafts

    # A draft is not on order: goods planned into it are not coming until someone sends it.
    digest.stale_drafts = [(po.number, po.supplier_code, po.order_date)
                           for po in (await stale_drafts(session, draft_days, today))[:limit]]
    return digest
