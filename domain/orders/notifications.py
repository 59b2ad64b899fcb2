"""SMS to the customer when an order ships (once per shipment: a part says what follows and when)
and when it is delivered.

Called inside the transaction that changes the order's status (the warehouse's
ship use case, mark_delivered below), so the message exists exactly when the
change does. Sent to the customer's own number when it has SMS consent, else to
the first consented contact; never to an opted-out number. The text is
translated at send time from the template and the customer's language."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import outbox, sms_consent
from ..errors import Conflict, N_
from ..models import Contact, Customer, Outbox, OrderStatus, SalesOrder, Shipment, User
from ..permissions import require

TEMPLATES = {
    OrderStatus.shipped: N_("Your order {number} is on its way. Text {number} to this number for its status."),
    OrderStatus.delivered: N_("Your order {number} has been delivered. Thank you!"),
}
PART_SHIPPED = N_("Part of your order {number} is on its way. {items} to follow, expected {day}.")
PART_SHIPPED_NO_DATE = N_("Part of your order {number} is on its way. {items} to follow; we will text you when it ships.")
REST_SHIPPED = N_("The rest of your order {number} is on its way. Text {number} to this number for its status.")


async def sms_number_for(session: AsyncSession, customer: Customer) -> str | None:
    """The number the customer agreed to receive SMS on, unless it opted out."""
    candidates = [customer.phone] if customer.sms_consent and customer.phone else []
    contacts = (await session.exec(select(Contact).where(Contact.customer_id == customer.id, Contact.sms_consent)
                                   .order_by(Contact.id))).all()
    candidates += [c.phone for c in contacts if c.phone]
    for phone in candidates:
        if not await sms_consent.is_opted_out(session, phone):
            return phone
    return None


async def notify_order_status(session: AsyncSession, order: SalesOrder) -> Outbox | None:
    """Queues the SMS for the order's current status (shipped or delivered), once per status.
    None when there is nothing to send: other status, no consented number, already queued."""
    template = TEMPLATES.get(order.status)
    if template is None:
        return None
    cause = f"order:{order.id}:{order.status}"
    if (await session.exec(select(Outbox.id).where(Outbox.cause == cause))).first() is not None:
        return None
    return await _send(session, order, template, {"number": order.number}, cause)


async def _send(session: AsyncSession, order: SalesOrder, template: str, params: dict, cause: str) -> Outbox | None:
    customer = await session.get(Customer, order.customer_id)
    phone = await sms_number_for(session, customer) if customer else None
    if phone is None:
        return None
    return await outbox.enqueue(session, channel="sms", recipient=phone, body=template.format(**params), cause=cause,
                                payload={"i18n": {"lang": customer.language or "", "template": template, "params": params}})


async def notify_shipment(session: AsyncSession, order: SalesOrder, shipment: Shipment, owed: list, *, first: bool) -> Outbox | None:
    """One SMS per shipment: the whole order, a part (what follows and when), or the rest."""
    if order.status == OrderStatus.shipped and first:
        return await notify_order_status(session, order)
    cause = f"order:{order.id}:shipment:{shipment.number}"
    if (await session.exec(select(Outbox.id).where(Outbox.cause == cause))).first() is not None:
        return None
    if order.status == OrderStatus.shipped:
        return await _send(session, order, REST_SHIPPED, {"number": order.number}, cause)
    items = ", ".join(f"{o.quantity.normalize():f} × {o.name}" for o in owed)
    dates = [o.expected for o in owed if o.expected]
    if dates and len(dates) == len([o for o in owed if o.waiting > 0]):
        return await _send(session, order, PART_SHIPPED, {"number": order.number, "items": items,
                                                          "day": max(dates).isoformat()}, cause)
    return await _send(session, order, PART_SHIPPED_NO_DATE, {"number": order.number, "items": items}, cause)


async def mark_delivered(session: AsyncSession, actor: User, order_ref: str, *, now: datetime) -> SalesOrder:
    """The carrier or the driver reports delivery: shipped -> delivered, and the customer's SMS."""
    from .lifecycle import get_order

    require(actor, "manage_orders")
    order = await get_order(session, order_ref)
    order = await session.get(SalesOrder, order.id, with_for_update=True)
    if order.status == OrderStatus.delivered:
        raise Conflict(N_("Order {number} is already marked delivered."), number=order.number)
    if order.status != OrderStatus.shipped:
        raise Conflict(N_("Order {number} is {status}; only a shipped order can be delivered."),
                       number=order.number, status=order.status)
    order.status, order.delivered_at = OrderStatus.delivered, now
    await notify_order_status(session, order)
    await session.flush()
    return order
