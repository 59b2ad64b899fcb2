"""Logging calls, meetings, SMS and e-mails against a customer."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput, N_, PermissionDenied
from ..rows import get_row
from ..models import Channel, Interaction, Reminder, User
from ..permissions import can, require
from .customers import get_customer
from .reminders import create_reminder

DIRECTIONS = ("in", "out")
OUTCOMES = ("interested", "ordered", "no answer", "call back", "sent offer", "not interested")


async def log_interaction(session: AsyncSession, actor: User, *, customer_id: int, channel: str, direction: str = "out",
                          outcome: str | None = None, note: str | None = None, occurred_at: datetime, now: datetime,
                          contact_id: int | None = None, follow_up_at: datetime | None = None,
                          follow_up_text: str | None = None) -> tuple[Interaction, Reminder | None]:
    """Records what just happened; a follow-up time also creates a reminder for the actor."""
    require(actor, "log_interaction")
    customer = await get_customer(session, customer_id)
    try:
        channel = Channel(channel).value
    except ValueError:
        raise InvalidInput(N_("Unknown kind of contact {channel}: use call, meeting, sms or email."), channel=channel) from None
    if direction not in DIRECTIONS:
        raise InvalidInput(N_("Direction must be in or out."))
    if occurred_at > now + timedelta(minutes=5):
        raise InvalidInput(N_("An interaction can't be in the future; set a reminder for that."))
    note = (note or "").strip() or None
    if note and len(note) > 2000:
        raise InvalidInput(N_("The note is too long (2000 characters at most)."))
    interaction = Interaction(customer_id=customer.id, contact_id=contact_id, user_id=actor.id, channel=channel, direction=direction,
                              outcome=(outcome or "").strip() or None, note=note, occurred_at=occurred_at)
    session.add(interaction)
    await session.flush()
    reminder = None
    if follow_up_at is not None:
        reminder = await create_reminder(session, actor, text=follow_up_text or f"Follow up with {customer.name}", due_at=follow_up_at,
                                         now=now, customer_id=customer.id, interaction_id=interaction.id)
    return interaction, reminder


async def undo_interaction(session: AsyncSession, actor: User, interaction_id: int) -> Interaction:
    """Deletes an interaction the actor logged, with the follow-up reminder made with it."""
    interaction = await get_row(session, Interaction, interaction_id, N_("That interaction is already gone."))
    if interaction.user_id != actor.id and not can(actor, "edit_any_deal"):
        raise PermissionDenied(N_("You can only undo what you logged yourself."))
    for reminder in (await session.exec(select(Reminder).where(Reminder.interaction_id == interaction.id))).all():
        await session.delete(reminder)
    await session.flush()  # no ORM relationships: the reminders must go first, by hand
    await session.delete(interaction)
    await session.flush()
    return interaction
