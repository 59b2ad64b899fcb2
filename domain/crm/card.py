"""The customer card: everything a rep wants to know before calling, in one read."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Contact, Counterparty, Customer, Deal, Interaction, Reminder, SalesOrder, User
from ..permissions import require
from .customers import get_customer
from .deals import open_deals
from .reminders import upcoming_for_customer

CLOSED_ORDERS = ("delivered", "cancelled")


@dataclass
class Card:
    customer: Customer
    owner: User | None
    contacts: list[Contact] = field(default_factory=list)
    legal_entities: list[Counterparty] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    orders: list[SalesOrder] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)  # oldest first
    reminders: list[Reminder] = field(default_factory=list)
    users: dict[int, str] = field(default_factory=dict)  # who logged the interactions


async def customer_card(session: AsyncSession, actor: User, customer_id: int, *, interactions: int = 5) -> Card:
    require(actor, "view_customers")
    customer = await get_customer(session, customer_id)
    card = Card(customer=customer, owner=await session.get(User, customer.owner_id) if customer.owner_id else None)
    card.contacts = list((await session.exec(select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.id))).all())
    card.legal_entities = list((await session.exec(select(Counterparty).where(Counterparty.customer_id == customer.id))).all())
    card.deals = await open_deals(session, customer_id=customer.id)
    card.orders = list((await session.exec(
        select(SalesOrder).where(SalesOrder.customer_id == customer.id, SalesOrder.status.not_in(CLOSED_ORDERS))
        .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc()).limit(5))).all())
    latest = (await session.exec(select(Interaction).where(Interaction.customer_id == customer.id)
                                 .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(interactions))).all()
    card.interactions = list(reversed(latest))
    card.reminders = await upcoming_for_customer(session, customer.id)
    ids = {i.user_id for i in card.interactions if i.user_id}
    if ids:
        card.users = {u.id: u.name for u in (await session.exec(select(User).where(User.id.in_(ids)))).all()}
    return card
