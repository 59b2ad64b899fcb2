"""Invoices for confirmed orders, payments against them, and what is overdue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models import Customer, Invoice, Payment, SalesOrder, SalesOrderLine, User
from ..numbering import next_number
from ..permissions import require


def _total(lines: list[SalesOrderLine]) -> Decimal:
    return sum(((ln.quantity * (ln.price or 0) * (1 - ln.discount_pct / 100)) for ln in lines), Decimal(0)).quantize(Decimal("0.01"))


async def issue_invoice(session: AsyncSession, order: SalesOrder, *, today: date, terms_days: int) -> Invoice:
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).all()
    from ..models import Product

    first = await session.get(Product, lines[0].product_id) if lines else None
    invoice = Invoice(number=f"INV-{await next_number(session, 'invoice'):06d}", order_id=order.id, customer_id=order.customer_id,
                      issued_on=today, due_on=today + timedelta(days=terms_days), amount=_total(list(lines)),
                      currency=first.currency if first else "EUR")
    session.add(invoice)
    await session.flush()
    return invoice


async def cancel_invoices(session: AsyncSession, order_id: int) -> None:
    for inv in (await session.exec(select(Invoice).where(Invoice.order_id == order_id, Invoice.status == "open"))).all():
        if inv.paid > 0:
            raise Conflict(N_("Invoice {number} is partly paid: refund it before cancelling the order."), number=inv.number)
        inv.status = "cancelled"


async def record_payment(session: AsyncSession, actor: User, invoice_number: str, amount: Decimal, *, paid_on: date,
                         method: str | None = None) -> Invoice:
    require(actor, "manage_orders")
    inv = (await session.exec(select(Invoice).where(Invoice.number == invoice_number.strip().upper()).with_for_update())).first()
    if inv is None:
        raise NotFound(N_("There is no invoice {number}."), number=invoice_number)
    amount = Decimal(amount)
    if amount <= 0:
        raise InvalidInput(N_("A payment must be more than zero."))
    if inv.status != "open":
        raise Conflict(N_("Invoice {number} is {status}."), number=inv.number, status=inv.status)
    if inv.paid + amount > inv.amount:
        raise InvalidInput(N_("That is more than the {open} still open on invoice {number}."), open=inv.amount - inv.paid, number=inv.number)
    session.add(Payment(invoice_id=inv.id, amount=amount, paid_on=paid_on, method=method, user_id=actor.id))
    inv.paid = inv.paid + amount
    if inv.paid == inv.amount:
        inv.status = "paid"
    return inv


@dataclass(frozen=True)
class OverdueInvoice:
    number: str
    customer: str
    open_amount: Decimal
    currency: str
    due_on: date
    days_late: int


async def overdue_invoices(session: AsyncSession, *, today: date, owner_id: int | None = None) -> list[OverdueInvoice]:
    stmt = (select(Invoice, Customer).join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.status == "open", Invoice.due_on < today).order_by(Invoice.due_on))
    if owner_id is not None:
        stmt = stmt.where(Customer.owner_id == owner_id)
    return [OverdueInvoice(inv.number, c.name, inv.amount - inv.paid, inv.currency, inv.due_on, (today - inv.due_on).days)
            for inv, c in (await session.exec(stmt)).all()]
