"""A mailing's life: draft -> queued -> done (or cancelled). Queueing writes every
recipient's outbox row in the transaction that marks the mailing queued; finishing
writes the author's summary row in the transaction that marks it done: each
happens once, whoever runs it and however often."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..crm.groups import group_by_name
from ..crm.reports import Thresholds
from .. import audit
from ..errors import Conflict, InvalidInput, N_
from ..rows import get_row
from ..models import ClientGroup, Mailing, Outbox, User
from ..outbox import OPTED_OUT
from ..permissions import require
from ..quiet_hours import next_allowed, parse_window
from .audience import Audience, audience, check_template, personalise
from ..status_labels import MAILING, Status

MAILING_PRIORITY = -1  # after reminders and order notifications (0)
INSERT_CHUNK = 5000


def cause_of(mailing_id: int) -> str:
    return f"mailing:{mailing_id}"


async def get_mailing(session: AsyncSession, mailing_id: int) -> Mailing:
    mailing = await get_row(session, Mailing, mailing_id, N_("No mailing {id}."), id=mailing_id)
    return mailing


async def draft_mailing(session: AsyncSession, actor: User, group_name: str, body: str, *, today: date, default_tz: str,
                        thresholds: Thresholds | None = None) -> tuple[Mailing, Audience]:
    require(actor, "mailings")
    body = check_template(body)
    group = await group_by_name(session, group_name)
    aud = await audience(session, group, today=today, default_tz=default_tz, thresholds=thresholds)
    mailing = Mailing(group_id=group.id, body=body, created_by_id=actor.id, recipients=len(aud.recipients),
                      excluded=dict(aud.excluded))
    session.add(mailing)
    await session.flush()
    return mailing, aud


async def queue_mailing(session: AsyncSession, actor: User, mailing_id: int, *, now: datetime, today: date,
                        default_tz: str, send_at: datetime | None = None, quiet: str | None = "21:00-09:00",
                        thresholds: Thresholds | None = None) -> Mailing:
    """Writes one outbox row per recipient (audience taken now: consent and opt-outs as they are;
    a later opt-out is still honoured at send time). Each row is due at `send_at` (or now), moved
    past the quiet hours in the recipient's zone, and carries them so a slow send defers again."""
    require(actor, "mailings")
    if send_at is not None and send_at.tzinfo is None:
        raise ValueError("send_at must be time-zone aware")
    if send_at is not None and send_at < now - timedelta(minutes=1):
        raise InvalidInput(N_("That time is in the past."))
    window = parse_window(quiet)
    mailing = await get_mailing(session, mailing_id)
    # The conditional update is the guard against a double click or two processes: one wins.
    won = await session.exec(update(Mailing).where(Mailing.id == mailing_id, Mailing.status == "draft")
                             .values(status="queued", queued_at=now, send_at=send_at)
                             .execution_options(synchronize_session=False))
    if won.rowcount != 1:
        raise Conflict(N_("That mailing was already sent or cancelled."))
    # a bulk statement: the audit log is told (the flush hook sees only ORM changes)
    await audit.record(session, [audit.Change(entity="mailing", entity_id=str(mailing_id), label=None, part=None,
                                              action="changed", before={"status": "draft"},
                                              after={"status": "queued", "send_at": audit.plain(send_at)})])
    group = await session.get(ClientGroup, mailing.group_id)
    aud = await audience(session, group, today=today, default_tz=default_tz, thresholds=thresholds)
    due = max(send_at or now, now)
    cause = cause_of(mailing_id)
    rows = []
    for r in aud.recipients:
        payload = {"mailing": mailing_id}
        if window is not None:
            payload["quiet"] = {"tz": r.timezone, "window": quiet}
        rows.append({"channel": "sms", "recipient": r.phone, "body": personalise(mailing.body, r), "payload": payload,
                     "cause": cause, "priority": MAILING_PRIORITY, "status": "pending", "attempts": 0,
                     "not_before": next_allowed(due, r.timezone, window), "created_at": now})
    conn = await session.connection()  # a Core executemany: 100,000 rows without 100,000 ORM objects
    for i in range(0, len(rows), INSERT_CHUNK):
        await conn.execute(sa.insert(Outbox.__table__), rows[i:i + INSERT_CHUNK])
    await session.refresh(mailing)
    mailing.recipients, mailing.excluded = len(rows), dict(aud.excluded)
    await session.flush()
    return mailing


async def cancel_mailing(session: AsyncSession, actor: User, mailing_id: int, *, now: datetime) -> tuple[Mailing, int]:
    """Stops what has not gone out yet; returns the mailing and how many messages were stopped."""
    require(actor, "mailings")
    mailing = await get_mailing(session, mailing_id)
    if mailing.status not in ("draft", "queued"):
        raise Conflict(N_("That mailing is already {status}."), status=Status(MAILING, mailing.status))
    stopped = await session.exec(update(Outbox).where(Outbox.cause == cause_of(mailing_id), Outbox.status == "pending")
                                 .values(status="skipped", error="cancelled").execution_options(synchronize_session=False))
    mailing.status, mailing.finished_at = "cancelled", now
    await session.flush()
    return mailing, stopped.rowcount


@dataclass
class MailingSummary:
    recipients: int
    sent: int
    delivered: int
    failed: int  # refused by the provider, given up, or reported undelivered/failed
    opted_out: int  # at queueing time plus since
    pending: int  # not yet sent (queued, waiting for quiet hours to end, retrying)


async def mailing_summary(session: AsyncSession, mailing: Mailing) -> MailingSummary:
    status_delivery = (await session.exec(
        select(Outbox.status, Outbox.delivery_status, func.substr(Outbox.error, 1, len(OPTED_OUT)), func.count())
        .where(Outbox.cause == cause_of(mailing.id))
        .group_by(sa.text("1, 2, 3")))).all()  # by position: PostgreSQL sees the bound substr() twice otherwise
    sent = delivered = failed = opted = pending = 0
    for status, delivery, error_head, n in status_delivery:
        if status in ("pending", "sending"):
            pending += n
        elif error_head == OPTED_OUT:
            opted += n
        elif status == "sent":
            sent += n
            if delivery == "delivered":
                delivered += n
            elif delivery in ("undelivered", "failed"):
                failed += n
        elif status == "failed":
            failed += n
    opted += (mailing.excluded or {}).get("opted_out", 0)
    return MailingSummary(mailing.recipients, sent, delivered, failed, opted, pending)


async def finish_mailings(session: AsyncSession, now: datetime, *, settle_after: timedelta) -> list[tuple[Mailing, MailingSummary]]:
    """Queued mailings with nothing left to send, the last send at least `settle_after` ago (time for
    delivery callbacks) -> done. Returns them with their summaries; the caller queues the summary
    messages in this same transaction, so a summary is sent once."""
    done = []
    for mailing in (await session.exec(select(Mailing).where(Mailing.status == "queued"))).all():
        cause = cause_of(mailing.id)
        open_rows = (await session.exec(select(func.count()).select_from(Outbox).where(
            Outbox.cause == cause, Outbox.status.in_(("pending", "sending"))))).one()
        if open_rows:
            continue
        last = (await session.exec(select(func.max(Outbox.sent_at)).where(Outbox.cause == cause))).one()
        if last is not None and last > now - settle_after:
            continue
        won = await session.exec(update(Mailing).where(Mailing.id == mailing.id, Mailing.status == "queued")
                                 .values(status="done", finished_at=now).execution_options(synchronize_session=False))
        if won.rowcount == 1:
            await session.refresh(mailing)
            done.append((mailing, await mailing_summary(session, mailing)))
    return done
