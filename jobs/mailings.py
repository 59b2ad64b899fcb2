"""Closes finished mailings and tells their author how they went (once: the summary row
is queued in the transaction that marks the mailing done)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from domain import outbox
from domain.errors import N_
from domain.mailings import finish_mailings
from domain.models import ClientGroup, User
from storage.uow import UnitOfWorkFactory

Translate = Callable[[str, str], str]
SUMMARY = N_("Mailing {id} to {group} is done: {recipients} recipients, {sent} sent, {delivered} delivered, "
             "{failed} failed, {opted_out} opted out.")


async def finish_mailings_job(uow: UnitOfWorkFactory, *, now: datetime, translate: Translate,
                              settle_after: timedelta) -> int:
    async with uow() as u:
        finished = await finish_mailings(u.session, now, settle_after=settle_after)
        for mailing, s in finished:
            author = await u.session.get(User, mailing.created_by_id) if mailing.created_by_id else None
            if author is None or author.blocked or (author.telegram_id is None and not author.email):
                continue  # seen with /mailing status instead
            group = await u.session.get(ClientGroup, mailing.group_id)
            body = translate(author.language or "en", SUMMARY).format(
                id=mailing.id, group=group.name if group else "?", recipients=s.recipients, sent=s.sent,
                delivered=s.delivered, failed=s.failed, opted_out=s.opted_out)
            channel, recipient = ("telegram", str(author.telegram_id)) if author.telegram_id is not None \
                else ("email", author.email)
            await outbox.enqueue(u.session, channel=channel, recipient=recipient, body=body,
                                 cause=f"mailing-summary:{mailing.id}")
        await u.commit()
    return len(finished)
