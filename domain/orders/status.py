"""What a customer may learn about an order by SMS or phone.

The rule: the order's status is told only when the asking phone belongs to the
order's customer (the customer's own phone or one of its contacts). Anyone
else gets the same answer as for an order that does not exist, so the reply
never reveals whether an order exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Contact, Customer, Product, SalesOrder, SalesOrderLine

_ORDER_REF = re.compile(r"(?:SO[-\s]?)?(\d{3,10})", re.IGNORECASE)


@dataclass(frozen=True)
class LineView:
    """An order line as the customer may hear it: the product's name and how much was ordered
    and shipped (no prices, bins or lots)."""

    product: str
    ordered: Decimal
    shipped: Decimal


@dataclass(frozen=True)
class OrderStatusView:
    number: str
    status: str
    promised_date: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[LineView]
    customer_language: str | None
    owed: list = field(default_factory=list)  # backorders.Owed: what still follows, and when

    @property
    def partly_shipped(self) -> bool:
        return bool(self.owed) and any(ln.shipped > 0 for ln in self.lines)

    @property
    def shipped_lines(self) -> list[LineView]:
        return [ln for ln in self.lines if ln.shipped > 0]


def order_ref_in(text: str) -> str | None:
    """The order number in a free-text message ("where is my order #1042?" -> "1042")."""
    m = _ORDER_REF.search(text or "")
    return m.group(1) if m else None


async def customers_for_phone(session: AsyncSession, phone: str) -> list[int]:
    direct = select(Customer.id).where(Customer.phone == phone)
    via_contact = select(Contact.customer_id).where(Contact.phone == phone)
    ids = set((await session.exec(direct)).all()) | set((await session.exec(via_contact)).all())
    return sorted(ids)


async def order_status_for_phone(session: AsyncSession, phone: str, order_ref: str, *,
                                 today: date | None = None) -> OrderStatusView | None:
    from .backorders import owed_lines

    customer_ids = await customers_for_phone(session, phone)
    if not customer_ids or not order_ref:
        return None
    digits = order_ref.upper().removeprefix("SO-").removeprefix("SO")
    order = (await session.exec(select(SalesOrder).where(
        or_(SalesOrder.number == order_ref, SalesOrder.number == digits), SalesOrder.customer_id.in_(customer_ids)))).first()
    if order is None:
        return None
    rows = (await session.exec(select(SalesOrderLine, Product.name).join(Product, Product.id == SalesOrderLine.product_id)
                               .where(SalesOrderLine.order_id == order.id).order_by(SalesOrderLine.line_no))).all()
    customer = await session.get(Customer, order.customer_id)
    return OrderStatusView(number=order.number, status=order.status, promised_date=order.promised_date,
                           shipped_at=order.shipped_at, delivered_at=order.delivered_at,
                           lines=[LineView(name, line.quantity, line.shipped_qty) for line, name in rows],
                           customer_language=customer.language if customer else None,
                           owed=await owed_lines(session, order, today=today or date.today()))


async def language_for_phone(session: AsyncSession, phone: str) -> str | None:
    ids = await customers_for_phone(session, phone)
    if not ids:
        return None
    customer = await session.get(Customer, ids[0])
    return customer.language if customer else None
