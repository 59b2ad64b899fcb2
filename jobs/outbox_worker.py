"""Sends what the outbox holds, one channel per worker: claim -> send -> mark.

Each step is its own short transaction, and nothing is held open while the
provider is called. See domain/outbox.py for the row's life.

Pacing: the claim reserves send slots in the shared pace row (outbox_pace), so
`rate_per_s` holds for the whole deployment however many processes send. A
batch is kept short next to `stale_after` (a row claimed longer ago than that is
taken to be abandoned by a stuck worker), so a live worker never looks stuck. A
worker that died is noticed sooner: its heartbeat stops (jobs/heartbeat.py) and
its claims are taken by the next claim, whatever `stale_after` says."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from domain import outbox, sms_consent
from domain.models import Outbox
from domain.outbox import Notifier, PermanentFailure, RecipientOptedOut, TemporaryFailure
from storage.uow import UnitOfWorkFactory

from .metrics import OUTBOX_DEPTH, OUTBOX_OLDEST, OUTBOX_SENDS

log = logging.getLogger(__name__)

Translate = Callable[[str, str], str]  # (lang, template) -> text


@dataclass
class WorkerResult:
    claimed: int = 0
    sent: int = 0
    reconciled: int = 0  # interrupted sends found already delivered: marked sent, not sent again
    retried: int = 0
    failed: int = 0
    held: int = 0  # opted out since queued, or deferred by quiet hours

    def add(self, other: "WorkerResult") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __bool__(self) -> bool:
        return bool(self.claimed)


@dataclass
class SendPolicy:
    limit: int = 20  # rows per claim
    stale_after: timedelta = timedelta(minutes=5)
    max_attempts: int = 6
    rate_per_s: float = 0.0  # 0 = as fast as the provider takes them
    concurrency: int = 4  # sends in flight per process
    retry_base_s: float = 30.0  # back-off: base, 2x base, 4x base ... capped at an hour
    owner: str | None = None  # this process's id in `processes` (jobs/heartbeat.py), recorded on its claims
    dead_after: timedelta | None = None  # claims of a process whose heartbeat is older than this are taken at once

    def batch(self) -> int:
        if self.rate_per_s <= 0:
            return self.limit
        # A batch must be sent well within stale_after, or another worker would take it again.
        return max(1, min(self.limit, int(self.rate_per_s * self.stale_after.total_seconds() / 4)))


def backoff(attempts: int, base_s: float = 30.0) -> timedelta:
    return timedelta(seconds=min(3600.0, base_s * 2 ** max(0, attempts - 1)))


def render(row: Outbox, translate: Translate | None) -> Outbox:
    """Rows may carry their text as {"i18n": {"lang", "template", "params"}} (queued by domain code
    that knows no catalogs); the body sent is the translation. The detached row is changed, not the table."""
    spec = (row.payload or {}).get("i18n")
    if spec and translate is not None:
        row.body = translate(spec.get("lang") or "en", spec["template"]).format(**spec.get("params", {}))
    return row


async def run_once(uow: UnitOfWorkFactory, notifier: Notifier, *, now: Callable[[], datetime],
                   policy: SendPolicy | None = None, translate: Translate | None = None, limit: int | None = None,
                   stale_after: timedelta | None = None, max_attempts: int | None = None) -> WorkerResult:
    """One pass: claims a batch of the notifier's channel and delivers it at the configured pace."""
    policy = policy or SendPolicy()
    if limit is not None or stale_after is not None or max_attempts is not None:
        policy = SendPolicy(**{**policy.__dict__, **{k: v for k, v in
                                                     (("limit", limit), ("stale_after", stale_after),
                                                      ("max_attempts", max_attempts)) if v is not None}})
    result = WorkerResult()
    async with uow() as u:
        claimed_at = now()
        rows = await outbox.claim(u.session, channel=notifier.channel, limit=policy.batch(), now=claimed_at,
                                  stale_after=policy.stale_after, owner=policy.owner, dead_after=policy.dead_after)
        ready = await outbox.hold_back(u.session, rows, claimed_at)
        start = await outbox.reserve_slots(u.session, notifier.channel, len(ready), claimed_at, policy.rate_per_s)
        await u.commit()
    result.claimed, result.held = len(rows), len(rows) - len(ready)
    base = time.monotonic() + (start - claimed_at).total_seconds()
    gate = asyncio.Semaphore(max(1, policy.concurrency))
    # Successful sends are recorded a chunk at a time (one statement): a crash before that leaves
    # the chunk "sending", and the next claim reconciles it with the provider like any interrupted send.
    chunk = max(1, policy.concurrency * 4)

    async def one(i: int, row: Outbox, done: list[tuple[int, str]]) -> None:
        if policy.rate_per_s > 0:
            await asyncio.sleep(max(0.0, base + i / policy.rate_per_s - time.monotonic()))
        async with gate:
            provider_id = await _deliver(uow, notifier, render(row, translate), now, policy, result)
        if provider_id is not None:
            done.append((row.id, provider_id))

    for c0 in range(0, len(ready), chunk):
        done: list[tuple[int, str]] = []
        await asyncio.gather(*(one(c0 + k, row, done) for k, row in enumerate(ready[c0:c0 + chunk])))
        if done:
            async with uow() as u:
                await outbox.mark_sent_many(u.session, done, now())
                await u.commit()
            result.sent += len(done)
    for outcome in ("sent", "reconciled", "retried", "failed", "held"):
        if getattr(result, outcome):
            OUTBOX_SENDS.labels(notifier.channel, outcome).inc(getattr(result, outcome))
    return result


async def measure_depth(uow: UnitOfWorkFactory, now: datetime) -> dict[str, int]:
    """Sets the outbox depth and age gauges; returns {channel: rows waiting}."""
    async with uow() as u:
        rows = (await u.session.exec(select(Outbox.channel, Outbox.status, sa.func.count(), sa.func.min(Outbox.not_before))
                                     .where(Outbox.status.in_(("pending", "sending")))
                                     .group_by(Outbox.channel, Outbox.status))).all()
    waiting: dict[str, int] = {}
    oldest: dict[str, float] = {}
    for channel in ("telegram", "sms", "email"):  # known channels read 0 rather than vanish
        for status in ("pending", "sending"):
            OUTBOX_DEPTH.labels(channel, status).set(0)
        oldest[channel] = 0.0
    for channel, status, count, first_due in rows:
        OUTBOX_DEPTH.labels(channel, status).set(count)
        waiting[channel] = waiting.get(channel, 0) + count
        if first_due is not None:
            oldest[channel] = max(oldest.get(channel, 0.0), (now - first_due).total_seconds())
    for channel, age in oldest.items():
        OUTBOX_OLDEST.labels(channel).set(max(0.0, age))
    return waiting


async def drain(uow: UnitOfWorkFactory, notifier: Notifier, *, now: Callable[[], datetime], policy: SendPolicy,
                translate: Translate | None = None, budget_s: float = 60.0) -> WorkerResult:
    """Claims and sends batch after batch until nothing is due (or the time budget is used)."""
    total = WorkerResult()
    deadline = time.monotonic() + budget_s
    while time.monotonic() < deadline:
        result = await run_once(uow, notifier, now=now, policy=policy, translate=translate)
        total.add(result)
        if not result:
            break
    return total


async def _deliver(uow: UnitOfWorkFactory, notifier: Notifier, row: Outbox, now: Callable[[], datetime],
                   policy: SendPolicy, result: WorkerResult) -> str | None:
    """Sends one row (or reconciles it); returns the provider id to record as sent, None when the
    row was settled otherwise (reconciled, failed, to be retried)."""
    if outbox.was_interrupted(row):
        # A worker died after claiming this row. If the provider can tell us the message
        # already went out, record that and don't send it again. Telegram can't be asked
        # (no lookup in the Bot API): then we resend, because the claiming process is gone (or the claim
        # is older than `stale_after`) and no message id was ever recorded — the only duplicate left is a
        # crash in the moment between Telegram accepting the message and our mark_sent
        # commit, and for a reminder a rare duplicate beats a silently lost one.
        try:
            found = await notifier.lookup(row)
        except Exception:
            # Not knowing is not "not sent": retry later rather than risk a duplicate.
            log.warning("outbox %s: lookup failed, retrying later", row.id, exc_info=True)
            async with uow() as u:
                await outbox.mark_failed(u.session, row, f"{outbox.INTERRUPTED}: lookup failed",
                                         retry_at=now() + backoff(row.attempts, policy.retry_base_s))
                await u.commit()
            result.retried += 1
            return None
        candidates = [found] if isinstance(found, str) else list(found or [])
        if candidates:
            async with uow() as u:
                taken = set((await u.session.exec(select(Outbox.provider_id).where(
                    Outbox.provider_id.in_(candidates), Outbox.id != row.id))).all())
                mine = next((sid for sid in candidates if sid not in taken), None)
                if mine is not None:
                    await outbox.mark_sent(u.session, row, mine, now())
                    await u.commit()
                    result.reconciled += 1
                    return None
    try:
        provider_id = await notifier.send(row.recipient, row.body, row.payload)
    except PermanentFailure as exc:
        async with uow() as u:
            if isinstance(exc, RecipientOptedOut):
                await outbox.mark_failed(u.session, row, f"{outbox.OPTED_OUT}: {exc}")
                await sms_consent.opt_out(u.session, row.recipient, "provider")
            else:
                await outbox.mark_failed(u.session, row, f"permanent: {exc}")
            await u.commit()
        result.failed += 1
        log.warning("outbox %s to %s failed for good: %s", row.id, row.recipient, exc)
        return None
    except Exception as exc:
        give_up = row.attempts >= policy.max_attempts
        error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, TemporaryFailure):  # maybe sent: look it up before the retry sends again
            error = f"{outbox.INTERRUPTED}: uncertain: {error}"
        wait = backoff(row.attempts, policy.retry_base_s)
        if isinstance(exc, TemporaryFailure) and exc.retry_after_s:
            wait = max(wait, timedelta(seconds=exc.retry_after_s))
        async with uow() as u:
            await outbox.mark_failed(u.session, row, error, retry_at=None if give_up else now() + wait)
            await u.commit()
        result.failed += give_up
        result.retried += not give_up
        log.warning("outbox %s to %s: %s (attempt %s)", row.id, row.recipient, exc, row.attempts)
        return None
    return provider_id
