"""What is still owed to customers, when it is expected, and serving it when stock arrives.

A line's backorder is what is neither shipped nor cancelled (SalesOrderLine.backordered);
the part of it not yet reserved or picked waits for stock. Stock that becomes sellable is
reserved for waiting orders by priority (urgent first), then promised date, then order
date, and those orders go back on the pick list. It becomes sellable by a put-away (of a
receipt, a return, goods of a cancelled order), a receipt or a transfer into a sellable
bin, a move out of a dock, a count that finds more than the records, and by a cancelled
order giving its reservations back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import OrderStatus, Product, PurchaseOrder, PurchaseOrderLine, SalesOrder, SalesOrderLine, SupplierProduct

OPEN_PO = ("draft", "sent", "confirmed", "partially_received")
# Orders whose missing goods may still be reserved when stock arrives: a reserved one too, when a count
# took part of its reservation away (an order being picked or packed waits until it shipped its part).
WAITING = (OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.partially_shipped)


@dataclass(frozen=True)
class Owed:
    """A line's quantity that still follows (a backorder), and when it is expected: the day an
    open purchase order brings the product, else today plus the preferred supplier's lead time."""

    line_no: int
    sku: str
    name: str
    quantity: Decimal  # neither shipped nor cancelled
    waiting: Decimal  # of it, neither reserved nor picked yet: needs stock
    expected: date | None


def waiting_qty(line: SalesOrderLine) -> Decimal:
    """Owed and not yet reserved or picked (picked includes shipped)."""
    return max(line.quantity - line.cancelled_qty - line.picked_qty - line.reserved_qty, Decimal(0))


async def expected_date(session: AsyncSession, product_id: int, warehouse_id: int | None, *, today: date) -> date | None:
    """The earliest open purchase order bringing the product (to this warehouse), else today + the preferred
    supplier's lead time; None when neither is known."""
    stmt = (select(func.min(PurchaseOrder.expected_date)).join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
            .where(PurchaseOrderLine.product_id == product_id, PurchaseOrder.status.in_(OPEN_PO),
                   PurchaseOrderLine.quantity > PurchaseOrderLine.received_quantity))
    if warehouse_id is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id == warehouse_id)
    incoming = (await session.exec(stmt)).one()
    if incoming is not None:
        return max(incoming, today)
    lead = (await session.exec(select(SupplierProduct.lead_time_days).where(SupplierProduct.product_id == product_id)
                               .order_by(SupplierProduct.preferred.desc(), SupplierProduct.lead_time_days))).first()
    return today + timedelta(days=int(lead)) if lead is not None else None


async def owed_lines(session: AsyncSession, order: SalesOrder, *, today: date) -> list[Owed]:
    rows = (await session.exec(select(SalesOrderLine, Product).join(Product, Product.id == SalesOrderLine.product_id)
                               .where(SalesOrderLine.order_id == order.id).order_by(SalesOrderLine.line_no))).all()
    out = []
    for line, product in rows:
        if line.backordered <= 0 or order.status == OrderStatus.cancelled:
            continue
        waiting = waiting_qty(line)
        expected = await expected_date(session, product.id, order.warehouse_id, today=today) if waiting > 0 else None
        out.append(Owed(line.line_no, product.sku, product.name, line.backordered, waiting, expected))
    return out


async def serve_backorders(session: AsyncSession, warehouse_id: int | None,
                           product_ids: list[int] | set[int] | None = None) -> list[str]:
    """Reserves newly sellable stock for waiting orders (by priority, promised date, order date) and
    returns the numbers of the orders that got something; they are on the pick list from now on."""
    from ..inventory.reservations import reserve_order

    if warehouse_id is None or product_ids is not None and not product_ids:
        return []
    if product_ids is not None:
        product_ids = sorted(set(product_ids))

    short = select(SalesOrderLine.order_id).where(
        SalesOrderLine.quantity > SalesOrderLine.cancelled_qty + SalesOrderLine.picked_qty + SalesOrderLine.reserved_qty)
    if product_ids:
        short = short.where(SalesOrderLine.product_id.in_(product_ids))
    stmt = (select(SalesOrder)
            .where(SalesOrder.warehouse_id == warehouse_id, SalesOrder.status.in_(WAITING), SalesOrder.id.in_(short))
            .order_by(SalesOrder.priority.desc(), SalesOrder.promised_date.is_(None), SalesOrder.promised_date,
                      SalesOrder.order_date, SalesOrder.id))
    served = []
    for order in (await session.exec(stmt)).all():
        res = await reserve_order(session, order)
        if any(line.reserved_now > 0 for line in res.lines):
            served.append(order.number)
    return served
