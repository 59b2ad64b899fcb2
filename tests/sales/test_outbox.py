"""The outbox and its worker: claim, send, mark; retries; interrupted sends; concurrent claims."""
import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from domain import outbox
from domain.models import Outbox
from jobs.outbox_worker import run_once

from .conftest import NOW, Clock
from .fakes import FakeNotifier, PermanentFailure

STALE = timedelta(minutes=5)


async def _rows(uow_factory):
    async with uow_factory() as uow:
        return (await uow.session.exec(select(Outbox).order_by(Outbox.id))).all()


async def _enqueue(uow_factory, n=1, **kw):
    async with uow_factory() as uow:
        rows = [await outbox.enqueue(uow.session, channel=kw.get("channel", "telegram"), recipient="42", body=f"hello {i}",
                                     payload={"buttons": [[{"label": "Done", "data": "rem:done:1"}]]}, cause=f"test:{i}",
                                     not_before=kw.get("not_before", NOW)) for i in range(n)]
        await uow.commit()
        return rows


async def test_enqueue_then_worker_sends_once(uow_factory):
    await _enqueue(uow_factory, 2)
    notifier, clock = FakeNotifier(), Clock(NOW)
    result = await run_once(uow_factory, notifier, now=clock)
    assert result.sent == 2
    again = await run_once(uow_factory, notifier, now=clock)
    assert again.sent == 0 and len(notifier.sent) == 2
    rows = await _rows(uow_factory)
    assert [(r.status, r.provider_id, r.attempts) for r in rows] == [("sent", "m1", 1), ("sent", "m2", 1)]
    assert notifier.sent[0][2]["buttons"][0][0]["data"] == "rem:done:1"


async def test_not_before_and_other_channels_wait(uow_factory):
    await _enqueue(uow_factory, 1, not_before=NOW + timedelta(minutes=10))
    await _enqueue(uow_factory, 1, channel="sms")
    notifier = FakeNotifier()
    assert (await run_once(uow_factory, notifier, now=Clock(NOW))).sent == 0
    assert (await run_once(uow_factory, notifier, now=Clock(NOW + timedelta(minutes=11)))).sent == 1
    assert [r.status for r in await _rows(uow_factory)] == ["sent", "pending"]


async def test_transient_failure_is_retried_later_permanent_is_not(uow_factory):
    await _enqueue(uow_factory, 1)
    notifier, clock = FakeNotifier(), Clock(NOW)
    notifier.fail_with = ConnectionError("network down")
    assert (await run_once(uow_factory, notifier, now=clock)).retried == 1
    [row] = await _rows(uow_factory)
    assert row.status == "pending" and row.not_before > NOW and "network down" in row.error
    notifier.fail_with = None
    assert (await run_once(uow_factory, notifier, now=clock)).sent == 0  # not yet: backoff
    clock.now = NOW + timedelta(minutes=2)
    assert (await run_once(uow_factory, notifier, now=clock)).sent == 1
    await _enqueue(uow_factory, 1)
    notifier.fail_with = PermanentFailure("bot was blocked by the user")
    assert (await run_once(uow_factory, notifier, now=clock)).failed == 1
    notifier.fail_with = None
    clock.now += timedelta(days=1)
    assert (await run_once(uow_factory, notifier, now=clock)).sent == 0
    assert [r.status for r in await _rows(uow_factory)] == ["sent", "failed"]


async def _crash_after_claim(uow_factory, now):
    """A worker that claimed and committed, then died before mark_sent."""
    async with uow_factory() as uow:
        rows = await outbox.claim(uow.session, channel="telegram", limit=10, now=now, stale_after=STALE)
        await uow.commit()
    return rows


async def test_crash_before_send_is_reconciled_and_sent_exactly_once(uow_factory):
    await _enqueue(uow_factory, 1)
    assert len(await _crash_after_claim(uow_factory, NOW)) == 1
    notifier = FakeNotifier()
    # a restarted worker right away: the claim is fresh, the row is left alone
    assert (await run_once(uow_factory, notifier, now=Clock(NOW + timedelta(minutes=1)), stale_after=STALE)).sent == 0
    # later than stale_after: Telegram can't be asked, nothing was recorded -> sent once
    result = await run_once(uow_factory, notifier, now=Clock(NOW + timedelta(minutes=6)), stale_after=STALE)
    assert result.sent == 1 and len(notifier.sent) == 1
    [row] = await _rows(uow_factory)
    assert row.status == "sent" and row.attempts == 2 and row.provider_id == "m1"
    assert (await run_once(uow_factory, notifier, now=Clock(NOW + timedelta(hours=1)), stale_after=STALE)).sent == 0
    assert len(notifier.sent) == 1


async def test_crash_after_send_is_not_sent_again_when_the_provider_knows_it(uow_factory):
    await _enqueue(uow_factory, 1)
    [claimed] = await _crash_after_claim(uow_factory, NOW)
    notifier = FakeNotifier(can_lookup=True)
    notifier.by_cause[claimed.cause] = "provider-77"  # it did go out before the crash
    result = await run_once(uow_factory, notifier, now=Clock(NOW + timedelta(minutes=6)), stale_after=STALE)
    assert (result.reconciled, result.sent, notifier.sent) == (1, 0, [])
    [row] = await _rows(uow_factory)
    assert (row.status, row.provider_id) == ("sent", "provider-77")


async def test_concurrent_claims_take_disjoint_rows(uow_factory, database_url):
    await _enqueue(uow_factory, 6)

    async def claim_some():
        async with uow_factory() as uow:
            rows = await outbox.claim(uow.session, channel="telegram", limit=4, now=NOW, stale_after=STALE)
            await asyncio.sleep(0.05)  # hold the lock while the other worker tries
            await uow.commit()
            return [r.id for r in rows]

    a, b = await asyncio.gather(claim_some(), claim_some())
    assert not set(a) & set(b)
    assert sorted(a + b) == [r.id for r in await _rows(uow_factory)]


async def test_enqueue_needs_a_recipient(session):
    with pytest.raises(ValueError):
        await outbox.enqueue(session, channel="telegram", recipient="", body="x")
