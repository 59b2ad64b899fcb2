"""The outbox: messages the system sends on its own (reminders, SMS, reports).

A row is written in the same transaction as the change that causes it, so a
message is never lost and never invented by a rolled-back change. A worker then

    claim()      in one short transaction: pending rows (and rows stuck in
                 "sending" since before `stale_after`) -> "sending"; commit
    send         outside any transaction, through a Notifier
    mark_sent()  in a second short transaction, with the provider's message id
    mark_failed()  when sending failed: retried at `retry_at`, or given up

Concurrency: on PostgreSQL claim() locks with FOR UPDATE SKIP LOCKED, so any
number of workers take disjoint rows. SQLite has no row locks; its engine
starts every transaction with BEGIN IMMEDIATE, so claims are serialised.

Channel-agnostic: `recipient` is a Telegram chat id or an E.164 phone,
`payload` may carry {"buttons": [[{"label": ..., "data": ...}]]} and whatever
else a channel's notifier understands.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import database_of
from .models import EarlyDeliveryStatus, Outbox, OutboxPace, ProcessBeat, SmsOptOut
from .quiet_hours import next_allowed, parse_window

INTERRUPTED = "interrupted"  # error prefix on a row re-claimed after a worker died mid-send


class Notifier(Protocol):
    """A channel that can deliver an outbox row (adapters live in bot/)."""

    channel: str

    async def send(self, recipient: str, body: str, payload: dict[str, Any] | None) -> str:
        """Delivers one message; returns the provider's message id.
        Raises PermanentFailure when retrying cannot help (blocked bot, invalid number)."""
        ...

    async def lookup(self, row: Outbox) -> list[str] | str | None:
        """For a row whose send was interrupted: the provider ids of messages that may be this
        row's (oldest first), empty/None if the provider has none or cannot be asked."""
        ...


class PermanentFailure(Exception):
    """Sending can never succeed (recipient blocked us, number invalid): no retry."""


class RecipientOptedOut(PermanentFailure):
    """The provider refuses: the recipient unsubscribed there (Twilio 21610). Recorded as an opt-out."""


class TemporaryFailure(Exception):
    """The provider answered and did NOT take the message (429, 5xx with an error body): retry plainly.
    Any other exception from send() leaves it unknown whether the message went out (connection
    dropped after the request): the retry then asks the provider first, as after a crash.
    `retry_after_s`: the provider said when to come back (Telegram's 429 retry_after); the retry
    waits at least that long."""

    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


OPTED_OUT = "opted out"  # error of rows not sent because the recipient opted out


async def enqueue(session: AsyncSession, *, channel: str, recipient: str, body: str, payload: dict[str, Any] | None = None,
                  cause: str | None = None, not_before: datetime | None = None, priority: int = 0) -> Outbox:
    if not recipient:
        raise ValueError("an outbox row needs a recipient")
    row = Outbox(channel=channel, recipient=str(recipient), body=body, payload=payload, cause=cause, priority=priority)
    if not_before is not None:
        row.not_before = not_before
    session.add(row)
    await session.flush()
    return row


async def claim(session: AsyncSession, *, channel: str, limit: int, now: datetime, stale_after: timedelta,
                owner: str | None = None, dead_after: timedelta | None = None) -> list[Outbox]:
    """Takes up to `limit` rows due for sending and marks them "sending" by `owner` (the caller commits).

    A row still "sending" belongs to a worker that died between claim and mark_sent when
    - the process that claimed it (claimed_by) has no heartbeat newer than `dead_after` in
      `processes` (given `dead_after`): it is gone, its claims are taken at once; or
    - it was claimed longer ago than `stale_after`: a live but stuck worker, or a claim made
      without a process id.
    It is taken again and its error says so (see INTERRUPTED), so the worker can reconcile it
    with the provider before sending again."""
    due = and_(Outbox.status == "pending", Outbox.not_before <= now)
    stale = and_(Outbox.status == "sending", Outbox.claimed_at < now - stale_after)
    taken_again = [stale]
    if dead_after is not None:
        alive = select(ProcessBeat.id).where(ProcessBeat.heartbeat_at >= now - dead_after)
        taken_again.append(and_(Outbox.status == "sending", Outbox.claimed_by.is_not(None),
                                Outbox.claimed_by.not_in(alive)))
    stmt = (select(Outbox).where(Outbox.channel == channel, or_(due, *taken_again))
            .order_by(Outbox.priority.desc(), Outbox.not_before, Outbox.id).limit(limit).with_for_update(skip_locked=True))
    rows = list((await session.exec(stmt)).all())
    for row in rows:
        if row.status == "sending":
            by = f" by process {row.claimed_by}" if row.claimed_by else ""
            row.error = f"{INTERRUPTED}: claimed at {row.claimed_at.isoformat()}{by} and not confirmed"
        row.status = "sending"
        row.claimed_at = now
        row.claimed_by = owner
        row.attempts += 1
    await session.flush()
    return rows


async def hold_back(session: AsyncSession, rows: list[Outbox], now: datetime) -> list[Outbox]:
    """Of freshly claimed rows, those that may go out now. In the claim's transaction:
    an SMS to a number that has opted out since it was queued -> "skipped" (error "opted out");
    a row carrying quiet hours ({"quiet": {"tz": ..., "window": "21:00-09:00"}}) that is now
    inside them in the recipient's zone -> back to pending until they end (deferred, not dropped)."""
    sms = {r.recipient for r in rows if r.channel == "sms"}
    opted = set((await session.exec(select(SmsOptOut.phone).where(SmsOptOut.phone.in_(sms)))).all()) if sms else set()
    ready = []
    for row in rows:
        quiet = (row.payload or {}).get("quiet")
        allowed = next_allowed(now, quiet["tz"], parse_window(quiet.get("window"))) if quiet else now
        if row.channel == "sms" and row.recipient in opted:
            row.status, row.error = "skipped", OPTED_OUT
        elif allowed > now:
            row.status, row.not_before, row.attempts = "pending", allowed, row.attempts - 1
        else:
            ready.append(row)
    await session.flush()
    return ready


async def reserve_slots(session: AsyncSession, channel: str, count: int, now: datetime, rate_per_s: float) -> datetime:
    """Reserves `count` send slots at `rate_per_s` for the whole deployment; returns the first
    slot's time (slot i is at start + i / rate). The pace row is locked for the claim's transaction,
    so processes take consecutive slots. rate 0 = no pacing."""
    if rate_per_s <= 0 or count == 0:
        return now
    locked = select(OutboxPace).where(OutboxPace.channel == channel).with_for_update()
    pace = (await session.exec(locked)).first()
    if pace is None:  # first use: create it without racing another process's first use
        await session.exec(database_of(session).insert(OutboxPace).values(channel=channel, next_at=now).on_conflict_do_nothing())
        pace = (await session.exec(locked)).one()
    start = max(pace.next_at, now)
    pace.next_at = start + timedelta(seconds=count / rate_per_s)
    await session.flush()
    return start


async def retry_now(session: AsyncSession, channel: str, now: datetime, errors: tuple[str, ...]) -> int:
    """A channel that was unreachable answers again: rows waiting out a back-off after one of
    `errors` (e.g. "NetworkError") are due now instead of after the rest of their wait."""
    table = Outbox.__table__
    cond = or_(*(table.c.error.contains(e) for e in errors))
    result = await session.exec(table.update().where(table.c.channel == channel, table.c.status == "pending",
                                                     table.c.not_before > now, cond).values(not_before=now))
    return result.rowcount or 0


def was_interrupted(row: Outbox) -> bool:
    return row.status == "sending" and (row.error or "").startswith(INTERRUPTED)


async def _lock_provider_ids(session: AsyncSession, provider_ids: list[str]) -> None:
    """Serialises recording a provider id with its delivery callback. Without it, on PostgreSQL a
    callback could look for the row while the id is being committed, miss it, and park its status
    where the committing transaction had already looked (a lost status). SQLite's BEGIN IMMEDIATE
    already serialises writers."""
    await database_of(session).lock_for_transaction(session, provider_ids)


async def mark_sent(session: AsyncSession, row: Outbox, provider_id: str | None, now: datetime) -> Outbox:
    if provider_id:
        await _lock_provider_ids(session, [provider_id])
    row = await _current(session, row)
    row.status, row.provider_id, row.sent_at = "sent", provider_id, now
    row.error = None
    early = await session.get(EarlyDeliveryStatus, provider_id) if provider_id else None
    if early is not None:
        row.delivery_status, row.error = early.delivery_status, early.error
        await session.delete(early)
    await session.flush()
    return row


async def mark_sent_many(session: AsyncSession, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """mark_sent for many rows in one statement: [(row id, provider id)]."""
    if not sent:
        return
    await _lock_provider_ids(session, [pid for _, pid in sent if pid])
    table = Outbox.__table__
    conn = await session.connection()
    await conn.execute(table.update().where(table.c.id == sa.bindparam("rid"))
                       .values(status="sent", provider_id=sa.bindparam("pid"), sent_at=now, error=None),
                       [{"rid": rid, "pid": pid} for rid, pid in sent])
    pids = [pid for _, pid in sent if pid]
    early = list((await session.exec(select(EarlyDeliveryStatus).where(EarlyDeliveryStatus.provider_id.in_(pids))))
                 .all()) if pids else []
    for e in early:
        await conn.execute(table.update().where(table.c.provider_id == e.provider_id)
                           .values(delivery_status=e.delivery_status, error=e.error))
        await session.delete(e)
    await session.flush()


async def record_delivery_status(session: AsyncSession, provider_id: str, status: str, error: str | None = None) -> bool:
    """A provider's delivery callback. True when its row was found; otherwise kept for the row
    that will record this id (see EarlyDeliveryStatus)."""
    await _lock_provider_ids(session, [provider_id])
    row = (await session.exec(select(Outbox).where(Outbox.provider_id == provider_id))).first()
    if row is not None:
        row.delivery_status = status
        if error:
            row.error = error
        await session.flush()
        return True
    early = await session.get(EarlyDeliveryStatus, provider_id)
    if early is None:
        session.add(EarlyDeliveryStatus(provider_id=provider_id, delivery_status=status, error=error))
    else:
        early.delivery_status, early.error = status, error or early.error
    await session.flush()
    return False


async def mark_failed(session: AsyncSession, row: Outbox, error: str, retry_at: datetime | None = None) -> Outbox:
    """retry_at given: back to pending from then on; otherwise the row is given up ("failed")."""
    row = await _current(session, row)
    row.error = error[:1000]
    if retry_at is None:
        row.status = "failed"
    else:
        row.status, row.not_before = "pending", retry_at
    await session.flush()
    return row


async def _current(session: AsyncSession, row: Outbox) -> Outbox:
    # Rows come from the claim's (closed) session; work on this session's copy.
    fresh = await session.get(Outbox, row.id)
    if fresh is None:
        raise LookupError(f"outbox row {row.id} is gone")
    return fresh
