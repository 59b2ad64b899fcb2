"""Sends what the outbox holds, one channel per worker: claim -> send -> mark.

Each step is its own short transaction, and nothing is held open while the
provider is called. See domain/outbox.py for the row's life."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import outbox
from domain.outbox import Notifier, PermanentFailure
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass
class WorkerResult:
    sent: int = 0
    reconciled: int = 0  # interrupted sends found already delivered: marked sent, not sent again
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


async def run_once(uow: UnitOfWorkFactory, notifier: Notifier, *, now: Callable[[], datetime], limit: int = 20,
                   stale_after: timedelta = timedelta(minutes=5), max_attempts: int = 6) -> WorkerResult:
    """One pass: claims up to `limit` rows of the notifier's channel and delivers them."""
    result = WorkerResult()
    async with uow() as u:
        rows = await outbox.claim(u.session, channel=notifier.channel, limit=limit, now=now(), stale_after=stale_after)
        await u.commit()
    for row in rows:
        if outbox.was_interrupted(row):
            # A worker died after claiming this row. If the provider can tell us the message
            # already went out, record that and don't send it again. Telegram can't be asked
            # (no lookup in the Bot API): then we resend, because the claim is older than
            # `stale_after` and no message id was ever recorded — the only duplicate left is a
            # crash in the moment between Telegram accepting the message and our mark_sent
            # commit, and for a reminder a rare duplicate beats a silently lost one.
            try:
                provider_id = await notifier.lookup(row)
            except Exception:  # a failed lookup must not block delivery
                log.warning("outbox %s: lookup failed, resending", row.id, exc_info=True)
                provider_id = None
            if provider_id:
                async with uow() as u:
                    await outbox.mark_sent(u.session, row, provider_id, now())
                    await u.commit()
                result.reconciled += 1
                continue
        try:
            provider_id = await notifier.send(row.recipient, row.body, row.payload)
        except PermanentFailure as exc:
            async with uow() as u:
                await outbox.mark_failed(u.session, row, f"permanent: {exc}")
                await u.commit()
            result.failed += 1
            log.warning("outbox %s to %s failed for good: %s", row.id, row.recipient, exc)
            continue
        except Exception as exc:
            give_up = row.attempts >= max_attempts
            async with uow() as u:
                await outbox.mark_failed(u.session, row, f"{type(exc).__name__}: {exc}",
                                         retry_at=None if give_up else now() + backoff(row.attempts))
                await u.commit()
            result.failed += give_up
            result.retried += not give_up
            log.warning("outbox %s to %s: %s (attempt %s)", row.id, row.recipient, exc, row.attempts)
            continue
        async with uow() as u:
            await outbox.mark_sent(u.session, row, provider_id, now())
            await u.commit()
        result.sent += 1
    return result
