"""Reminders: creating them, the day's list, and handing due ones to the outbox."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import outbox
from ..errors import Conflict, InvalidInput, N_, PermissionDenied
from ..rows import get_row
from ..models import Customer, Reminder, User
from ..permissions import require

OPEN = ("pending", "sent")  # sent = delivered, not yet marked done


async def create_reminder(session: AsyncSession, actor: User, *, text: str, due_at: datetime, now: datetime,
                          customer_id: int | None = None, interaction_id: int | None = None) -> Reminder:
    require(actor, "reminders")
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput(N_("What should I remind you about?"))
    if len(text) > 500:
        raise InvalidInput(N_("The reminder text is too long (500 characters at most)."))
    if due_at.tzinfo is None:
        raise ValueError("due_at must be time-zone aware")
    if due_at < now - timedelta(minutes=1):
        raise InvalidInput(N_("{when} is in the past. Give a time from now on."), when=due_at.astimezone(ZoneInfo(actor.timezone)).strftime("%d.%m %H:%M"))
    if customer_id is not None:
        await get_row(session, Customer, customer_id, N_("No such customer."))
    reminder = Reminder(user_id=actor.id, customer_id=customer_id, text=text, due_at=due_at, interaction_id=interaction_id)
    session.add(reminder)
    await session.flush()
    return reminder


async def _own(session: AsyncSession, actor: User, reminder_id: int) -> Reminder:
    reminder = await get_row(session, Reminder, reminder_id, N_("That reminder is gone."))
    if reminder.user_id != actor.id:
        raise PermissionDenied(N_("That is someone else's reminder."))
    return reminder


async def complete(session: AsyncSession, actor: User, reminder_id: int, now: datetime) -> Reminder:
    reminder = await _own(session, actor, reminder_id)
    if reminder.status == "cancelled":
        raise Conflict(N_("That reminder was cancelled."))
    reminder.status, reminder.done_at = "done", reminder.done_at or now
    await session.flush()
    return reminder


async def snooze(session: AsyncSession, actor: User, reminder_id: int, until: datetime, now: datetime) -> Reminder:
    """Due again at `until`: back to pending, so the scheduler delivers it once more."""
    reminder = await _own(session, actor, reminder_id)
    if reminder.status in ("done", "cancelled"):
        raise Conflict(N_("That reminder is already closed."))
    if until <= now:
        raise InvalidInput(N_("Snooze to a time from now on."))
    reminder.status, reminder.due_at, reminder.sent_at = "pending", until, None
    await session.flush()
    return reminder


def tomorrow_morning(now: datetime, tz: ZoneInfo, hour: int = 9) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(hour), tz)


async def cancel(session: AsyncSession, actor: User, reminder_id: int) -> Reminder:
    reminder = await _own(session, actor, reminder_id)
    reminder.status = "cancelled"
    await session.flush()
    return reminder


async def delete(session: AsyncSession, actor: User, reminder_id: int) -> Reminder:
    """Undo of a reminder just made: gone without a trace (unless it was already delivered)."""
    reminder = await _own(session, actor, reminder_id)
    if reminder.status != "pending":
        reminder.status = "cancelled"
    else:
        await session.delete(reminder)
    await session.flush()
    return reminder


async def agenda(session: AsyncSession, user: User, day: date, tz: ZoneInfo) -> list[Reminder]:
    """Open reminders due on `day` (the person's local day) and overdue ones, in time order."""
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    stmt = (select(Reminder).where(Reminder.user_id == user.id, Reminder.status.in_(OPEN), Reminder.due_at < end)
            .order_by(Reminder.due_at))
    return list((await session.exec(stmt)).all())


async def agenda_span(session: AsyncSession, user: User, first: date, last: date, tz: ZoneInfo, *,
                      overdue: bool = False) -> list[Reminder]:
    """Open reminders due from `first` to `last` (the person's local days, both included), in time order;
    with overdue=True also the open ones due before `first`."""
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    stmt = select(Reminder).where(Reminder.user_id == user.id, Reminder.status.in_(OPEN), Reminder.due_at < end)
    if not overdue:
        stmt = stmt.where(Reminder.due_at >= start)
    return list((await session.exec(stmt.order_by(Reminder.due_at))).all())


async def agenda_between(session: AsyncSession, user: User, first: date, last: date, tz: ZoneInfo) -> list[Reminder]:
    """Open reminders due from `first` to `last` (local days, both included), in time order."""
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    stmt = (select(Reminder).where(Reminder.user_id == user.id, Reminder.status.in_(OPEN), Reminder.due_at >= start,
                                   Reminder.due_at < end).order_by(Reminder.due_at))
    return list((await session.exec(stmt)).all())


async def upcoming_for_customer(session: AsyncSession, customer_id: int, limit: int = 3) -> list[Reminder]:
    stmt = (select(Reminder).where(Reminder.customer_id == customer_id, Reminder.status.in_(OPEN))
            .order_by(Reminder.due_at).limit(limit))
    return list((await session.exec(stmt)).all())


def reminder_buttons(reminder_id: int, labels: dict[str, str]) -> list[list[dict[str, str]]]:
    return [[{"label": labels["done"], "data": f"rem:done:{reminder_id}"},
             {"label": labels["snooze"], "data": f"rem:snooze:{reminder_id}"},
             {"label": labels["tomorrow"], "data": f"rem:tomorrow:{reminder_id}"}]]


async def enqueue_due(session: AsyncSession, now: datetime, *, render, limit: int = 200) -> int:
    """Due reminders -> status sent + one outbox row each, in the caller's ONE transaction.

    `render(reminder, user, customer) -> (body, button_labels)` words the message in the
    person's language (the domain knows no translations). The conditional UPDATE
    (status still pending) makes a second scheduler, or a rerun, enqueue nothing twice;
    on PostgreSQL SKIP LOCKED also keeps two schedulers off the same rows."""
    stmt = (select(Reminder).where(Reminder.status == "pending", Reminder.due_at <= now)
            .order_by(Reminder.due_at).limit(limit).with_for_update(skip_locked=True))
    count = 0
    for reminder in (await session.exec(stmt)).all():
        taken = await session.exec(update(Reminder).where(Reminder.id == reminder.id, Reminder.status == "pending")
                                   .values(status="sent", sent_at=now).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            continue
        user = await session.get(User, reminder.user_id)
        if user is None or user.blocked or user.telegram_id is None:
            continue  # nowhere to push it: it stays on the person's /today list
        customer = await session.get(Customer, reminder.customer_id) if reminder.customer_id else None
        body, labels = render(reminder, user, customer)
        await outbox.enqueue(session, channel="telegram", recipient=str(user.telegram_id), body=body,
                             payload={"buttons": reminder_buttons(reminder.id, labels)}, cause=f"reminder:{reminder.id}",
                             not_before=now)
        count += 1
    return count

