"""The life of a purchase order.

    draft -> sent -> confirmed -> partially_received -> received
                 \\-> (cancelled)     \\-> closed (the rest will not come)

A draft is only an intention: planning does not count it as on order, and
receiving against it needs an explicit confirmation. It becomes `sent` when
the supplier got it (by e-mail, or the buyer says they phoned it through) and
`confirmed` when the supplier confirmed it, with their delivery date.
Receipts move it on (receiving.py); the rest is here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models import Product, PurchaseOrder, PurchaseOrderLine, Supplier, User, Warehouse, utcnow
from ..permissions import require
from ..inventory.common import locked
from ..status_labels import PO, Status

DRAFT, SENT, CONFIRMED = "draft", "sent", "confirmed"
PARTLY, RECEIVED, CLOSED, CANCELLED = "partially_received", "received", "closed", "cancelled"
# What planning counts as on order: the supplier knows about it.
ON_ORDER_STATUSES = (SENT, CONFIRMED, PARTLY)
# What goods can be received against (a draft only with confirmation).
RECEIVABLE_STATUSES = (DRAFT, SENT, CONFIRMED, PARTLY)
SEND_VIA = ("email", "phone")


@dataclass(frozen=True)
class POLineView:
    line_no: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    received: Decimal
    price: Decimal | None


@dataclass(frozen=True)
class POView:
    id: int
    number: str
    status: str
    supplier_code: str
    supplier_name: str
    supplier_email: str | None
    supplier_phone: str | None
    warehouse_code: str
    order_date: date | None
    expected_date: date | None
    confirmed_date: date | None
    sent_via: str | None
    lines: list[POLineView]

    @property
    def total(self) -> Decimal:
        return sum((ln.quantity * ln.price for ln in self.lines if ln.price is not None), Decimal(0))


async def get_po(session: AsyncSession, number: str) -> PurchaseOrder:
    number = (number or "").strip().upper()
    if not number:
        raise InvalidInput(N_("Which purchase order? Give its number, e.g. PO-20261201-001."))
    po = (await session.exec(select(PurchaseOrder).where(PurchaseOrder.number == number))).first()
    if po is None:
        raise NotFound(N_("There is no purchase order {number}."), number=number)
    return po


async def po_view(session: AsyncSession, po: PurchaseOrder) -> POView:
    supplier = await session.get(Supplier, po.supplier_id)
    wh = await session.get(Warehouse, po.warehouse_id)
    rows = (await session.exec(select(PurchaseOrderLine, Product).join(Product, Product.id == PurchaseOrderLine.product_id)
                               .where(PurchaseOrderLine.po_id == po.id).order_by(PurchaseOrderLine.line_no))).all()
    lines = [POLineView(pl.line_no, p.sku, p.name, p.unit, pl.quantity, pl.received_quantity, pl.price) for pl, p in rows]
    return POView(po.id, po.number, po.status, supplier.code, supplier.name, supplier.email, supplier.phone, wh.code,
                  po.order_date, po.expected_date, po.confirmed_date, po.sent_via, lines)


async def list_pos(session: AsyncSession, statuses: tuple[str, ...] | None = None, limit: int = 20) -> list[POView]:
    """Open purchase orders first (drafts, then sent, confirmed, partly received), newest first within each."""
    stmt = select(PurchaseOrder)
    if statuses:
        stmt = stmt.where(PurchaseOrder.status.in_(statuses))
    order = {DRAFT: 0, SENT: 1, CONFIRMED: 2, PARTLY: 3}
    pos = sorted((await session.exec(stmt)).all(), key=lambda p: (order.get(p.status, 9), -p.id))[:limit]
    return [await po_view(session, po) for po in pos]


async def count_drafts(session: AsyncSession) -> int:
    from sqlalchemy import func

    return int((await session.exec(select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.status == DRAFT))).one())


async def _for_change(session: AsyncSession, user: User, po: PurchaseOrder, allowed: tuple[str, ...]) -> PurchaseOrder:
    require(user, "purchasing")
    po = await locked(session, PurchaseOrder, po.id)
    if po.status not in allowed:
        raise Conflict(N_("Purchase order {number} is {status}; that can't be done now."), number=po.number, status=Status(PO, po.status))
    return po


async def mark_sent(session: AsyncSession, user: User, po: PurchaseOrder, *, via: str, today: date | None = None) -> PurchaseOrder:
    """The supplier has the order: e-mailed (the caller sends the mail first) or phoned through by the buyer."""
    if via not in SEND_VIA:
        raise InvalidInput(N_("A purchase order is sent by e-mail or by phone, not {via}."), via=via)
    po = await _for_change(session, user, po, (DRAFT, SENT))
    lines = (await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id))).all()
    if not lines:
        raise InvalidInput(N_("Purchase order {number} has no lines."), number=po.number)
    today = today or utcnow().date()
    if po.status == DRAFT and po.order_date and po.expected_date:
        # The lead time runs from the day the supplier got the order, not from the day it was drafted.
        po.expected_date = today + (po.expected_date - po.order_date)
    po.status, po.sent_at, po.sent_via, po.order_date = SENT, utcnow(), via, today
    await session.flush()
    return po


def parse_day(text: str, today: date) -> date:
    """A delivery date as the buyer types it: 2026-12-20, 20.12.2026, 20.12, or +5 (days from today)."""
    text = (text or "").strip()
    try:
        if text.startswith("+") and text[1:].isdigit():
            return today + timedelta(days=int(text[1:]))
        if "-" in text:
            return date.fromisoformat(text)
        parts = [int(p) for p in text.replace("/", ".").split(".") if p]
        if len(parts) == 2:
            return date(today.year, parts[1], parts[0]) if date(today.year, parts[1], parts[0]) >= today else date(today.year + 1, parts[1], parts[0])
        if len(parts) == 3:
            return date(parts[2] + (2000 if parts[2] < 100 else 0), parts[1], parts[0])
    except ValueError:
        pass
    raise InvalidInput(N_("'{value}' is not a date. Write e.g. 2026-12-20, 20.12 or +5."), value=text)


async def confirm_po(session: AsyncSession, user: User, po: PurchaseOrder, delivery: date, *,
                     today: date | None = None) -> PurchaseOrder:
    """The supplier confirmed the order and the day it will arrive; that day becomes the expected date."""
    today = today or utcnow().date()
    if delivery < today:
        raise InvalidInput(N_("The confirmed delivery date {day} is in the past."), day=delivery.isoformat())
    po = await _for_change(session, user, po, (SENT, CONFIRMED, PARTLY))
    po.confirmed_at, po.confirmed_date, po.expected_date = utcnow(), delivery, delivery
    if po.status == SENT:
        po.status = CONFIRMED
    await session.flush()
    return po


async def cancel_po(session: AsyncSession, user: User, po: PurchaseOrder) -> PurchaseOrder:
    """Nothing received yet: the order is void. Something received: use close_po for the rest."""
    po = await _for_change(session, user, po, (DRAFT, SENT, CONFIRMED))
    po.status, po.closed_at = CANCELLED, utcnow()
    await session.flush()
    return po


async def close_po(session: AsyncSession, user: User, po: PurchaseOrder) -> PurchaseOrder:
    """A partly received order whose rest will not come: it stops counting as on order."""
    po = await _for_change(session, user, po, (PARTLY,))
    po.status, po.closed_at = CLOSED, utcnow()
    await session.flush()
    return po


def status_after_receipt(lines: list[PurchaseOrderLine], po: PurchaseOrder) -> str:
    """A PO's status from its lines' received quantities; with nothing received (a rejected inspection
    can take it back to zero) it is confirmed, sent or a draft as it was before."""
    if all(pl.received_quantity >= pl.quantity for pl in lines):
        return RECEIVED
    if any(pl.received_quantity > 0 for pl in lines):
        return PARTLY
    if po.confirmed_date is not None:
        return CONFIRMED
    return SENT if po.sent_at is not None else DRAFT


async def stale_drafts(session: AsyncSession, older_than_days: int, today: date | None = None) -> list[POView]:
    """Drafts nobody sent for this many days: they are not on order, so the goods are not coming."""
    today = today or utcnow().date()
    limit = today - timedelta(days=older_than_days)
    drafts = (await session.exec(select(PurchaseOrder).where(PurchaseOrder.status == DRAFT).order_by(PurchaseOrder.id))).all()
    return [await po_view(session, po) for po in drafts if (po.order_date or po.created_at.date()) <= limit]
