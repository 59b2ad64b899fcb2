"""Invoices, credit notes, payments, and what is overdue.

Two policies (setting orders.invoice_policy): `delivered` (the default) bills each
shipment for what it carried; `ordered` bills the whole order on confirmation.
Goods returned, and (under `ordered`) quantities cancelled after billing, get a
credit note, which is applied to the order's open invoices at once; what is left
of it stays as credit and pays the order's next invoice. A payment larger than
the invoice it names pays the order's other open invoices, oldest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models import Customer, Invoice, Payment, Product, SalesOrder, SalesOrderLine, User
from ..numbering import next_number
from ..permissions import require
from ..status_labels import INVOICE, Status


def _total(lines: list[SalesOrderLine]) -> Decimal:
    return sum(((ln.quantity * (ln.price or 0) * (1 - ln.discount_pct / 100)) for ln in lines), Decimal(0)).quantize(Decimal("0.01"))


POLICIES = ("delivered", "ordered")


def policy_of(value: str | None) -> str:
    value = (value or "delivered").strip().lower()
    if value not in POLICIES:
        raise InvalidInput(N_("orders.invoice_policy must be delivered or ordered, not {value}."), value=value)
    return value


def _amount(parts: list[tuple[SalesOrderLine, Decimal]]) -> Decimal:
    return sum((qty * (ln.price or 0) * (1 - ln.discount_pct / 100) for ln, qty in parts), Decimal(0)).quantize(Decimal("0.01"))


async def _currency(session: AsyncSession, parts: list[tuple[SalesOrderLine, Decimal]]) -> str:
    first = await session.get(Product, parts[0][0].product_id) if parts else None
    return first.currency if first else "EUR"


async def _issue(session: AsyncSession, order: SalesOrder, parts: list[tuple[SalesOrderLine, Decimal]], *, today: date,
                 terms_days: int, shipment_id: int | None = None) -> Invoice:
    invoice = Invoice(number=f"INV-{await next_number(session, 'invoice'):06d}", order_id=order.id, customer_id=order.customer_id,
                      issued_on=today, due_on=today + timedelta(days=terms_days), amount=_amount(parts),
                      currency=await _currency(session, parts), shipment_id=shipment_id)
    session.add(invoice)
    await session.flush()
    await _use_open_credit(session, order.id, invoice)
    return invoice


async def issue_invoice(session: AsyncSession, order: SalesOrder, *, today: date, terms_days: int) -> Invoice:
    """The whole order (policy `ordered`)."""
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).all()
    return await _issue(session, order, [(ln, ln.quantity) for ln in lines], today=today, terms_days=terms_days)


async def invoice_shipment(session: AsyncSession, order: SalesOrder, shipment_id: int,
                           parts: list[tuple[SalesOrderLine, Decimal]], *, today: date, terms_days: int) -> Invoice | None:
    """What one shipment carried (policy `delivered`)."""
    parts = [(ln, q) for ln, q in parts if q > 0]
    if not parts:
        return None
    return await _issue(session, order, parts, today=today, terms_days=terms_days, shipment_id=shipment_id)


async def issue_credit_note(session: AsyncSession, order: SalesOrder, parts: list[tuple[SalesOrderLine, Decimal]], *,
                            today: date) -> Invoice | None:
    """Credits the customer for `parts` (returned, or cancelled after billing) and applies it to open invoices."""
    parts = [(ln, q) for ln, q in parts if q > 0]
    if not parts:
        return None
    note = Invoice(number=f"CN-{await next_number(session, 'credit_note'):06d}", order_id=order.id, customer_id=order.customer_id,
                   issued_on=today, due_on=today, amount=_amount(parts), currency=await _currency(session, parts),
                   kind="credit_note")
    session.add(note)
    await session.flush()
    for inv in await _open_invoices(session, order.id):
        if note.paid >= note.amount:
            break
        _apply(session, inv, min(note.amount - note.paid, inv.amount - inv.paid), credit=note)
    return note


async def _open_invoices(session: AsyncSession, order_id: int) -> list[Invoice]:
    return list((await session.exec(select(Invoice).where(Invoice.order_id == order_id, Invoice.kind == "invoice",
                                                          Invoice.status == "open")
                                    .order_by(Invoice.issued_on, Invoice.id).with_for_update())).all())


def _apply(session: AsyncSession, inv: Invoice, amount: Decimal, *, credit: Invoice | None = None, paid_on: date | None = None,
           method: str | None = None, user_id: int | None = None) -> None:
    if amount <= 0:
        return
    session.add(Payment(invoice_id=inv.id, amount=amount, paid_on=paid_on or (credit.issued_on if credit else date.today()),
                        method=method or ("credit_note" if credit else None), user_id=user_id,
                        credit_note_id=credit.id if credit else None))
    inv.paid = inv.paid + amount
    if inv.paid >= inv.amount:
        inv.status = "paid"
    if credit is not None:
        credit.paid = credit.paid + amount  # a credit note's "paid" is how much of it was used
        if credit.paid >= credit.amount:
            credit.status = "paid"


async def _use_open_credit(session: AsyncSession, order_id: int, invoice: Invoice) -> None:
    notes = (await session.exec(select(Invoice).where(Invoice.order_id == order_id, Invoice.kind == "credit_note",
                                                      Invoice.status == "open").order_by(Invoice.id))).all()
    for note in notes:
        _apply(session, invoice, min(note.amount - note.paid, invoice.amount - invoice.paid), credit=note)


async def cancel_invoices(session: AsyncSession, order_id: int) -> None:
    for inv in (await session.exec(select(Invoice).where(Invoice.order_id == order_id, Invoice.kind == "invoice",
                                                         Invoice.status == "open"))).all():
        if inv.paid > 0:
            raise Conflict(N_("Invoice {number} is partly paid: refund it before cancelling the order."), number=inv.number)
        inv.status = "cancelled"


async def record_payment(session: AsyncSession, actor: User, invoice_number: str, amount: Decimal, *, paid_on: date,
                         method: str | None = None) -> Invoice:
    """Pays the named invoice; more than it still owes pays the order's other open invoices, oldest first."""
    require(actor, "manage_orders")
    inv = (await session.exec(select(Invoice).where(Invoice.number == invoice_number.strip().upper()).with_for_update())).first()
    if inv is None or inv.kind != "invoice":
        raise NotFound(N_("There is no invoice {number}."), number=invoice_number)
    amount = Decimal(amount)
    if amount <= 0:
        raise InvalidInput(N_("A payment must be more than zero."))
    if inv.status != "open":
        raise Conflict(N_("Invoice {number} is {status}."), number=inv.number, status=Status(INVOICE, inv.status))
    others = [o for o in await _open_invoices(session, inv.order_id) if o.id != inv.id]
    still_open = inv.amount - inv.paid + sum((o.amount - o.paid for o in others), Decimal(0))
    if amount > still_open:
        raise InvalidInput(N_("That is more than the {open} still open on invoice {number}."), open=still_open, number=inv.number)
    for target in [inv, *others]:
        take = min(amount, target.amount - target.paid)
        _apply(session, target, take, paid_on=paid_on, method=method, user_id=actor.id)
        amount -= take
        if amount <= 0:
            break
    return inv


@dataclass(frozen=True)
class OverdueInvoice:
    number: str
    customer: str
    open_amount: Decimal
    currency: str
    due_on: date
    days_late: int


async def overdue_invoices_seen_by(session: AsyncSession, reader, *, today: date) -> list[OverdueInvoice]:
    """The overdue invoices a person may see: a sales rep only their own customers', the office all."""
    return await overdue_invoices(session, today=today, owner_id=reader.id if reader.role == "sales" else None)


async def overdue_invoices(session: AsyncSession, *, today: date, owner_id: int | None = None) -> list[OverdueInvoice]:
    stmt = (select(Invoice, Customer).join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.status == "open", Invoice.kind == "invoice", Invoice.due_on < today).order_by(Invoice.due_on))
    if owner_id is not None:
        stmt = stmt.where(Customer.owner_id == owner_id)
    return [OverdueInvoice(inv.number, c.name, inv.amount - inv.paid, inv.currency, inv.due_on, (today - inv.due_on).days)
            for inv, c in (await session.exec(stmt)).all()]
