"""Claims of a process that is gone are taken at once; a live process's claims are left alone
until the stale timeout (jobs/heartbeat.py, domain/outbox.py claim)."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from domain import outbox
from domain.models import Outbox, ProcessBeat
from jobs.heartbeat import ProcessRegistry

DEAD_AFTER = timedelta(seconds=10)
STALE = timedelta(minutes=5)


class Clock:
    def __init__(self):
        self.now = datetime.now(timezone.utc) + timedelta(seconds=5)

    def __call__(self):
        return self.now


async def _queue(uow_factory) -> int:
    async with uow_factory() as uow:
        row = await outbox.enqueue(uow.session, channel="sms", recipient="+15550001", body="hi")
        await uow.commit()
        return row.id


async def _claim(uow_factory, registry: ProcessRegistry, now) -> list[Outbox]:
    async with uow_factory() as uow:
        rows = await outbox.claim(uow.session, channel="sms", limit=10, now=now, stale_after=STALE,
                                  owner=registry.id, dead_after=registry.dead_after)
        await uow.commit()
        return rows


async def test_a_silent_process_loses_its_claims_after_dead_after_a_beating_one_keeps_them(uow_factory):
    clock = Clock()
    a = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-a", pid=111)
    b = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-b", pid=222)
    await a.register()
    await b.register()
    row_id = await _queue(uow_factory)
    [row] = await _claim(uow_factory, a, clock())
    assert row.claimed_by == a.id

    clock.now += timedelta(seconds=30)
    await a.beat()  # alive and beating: its send is its own, however long it takes (until STALE)
    await b.beat()
    assert await _claim(uow_factory, b, clock()) == []

    clock.now += DEAD_AFTER + timedelta(seconds=1)  # a stops beating (killed on another host)
    await b.beat()
    [taken] = await _claim(uow_factory, b, clock())
    assert taken.id == row_id and taken.claimed_by == b.id
    assert outbox.was_interrupted(taken) and f"by process {a.id}" in taken.error
    assert await b.reap() == 0  # a's row is removed; its claim was already taken
    async with uow_factory() as uow:
        assert [p.id for p in (await uow.session.exec(select(ProcessBeat))).all()] == [b.id]


async def test_a_process_starting_on_the_same_host_takes_a_dead_pids_claims_at_once(uow_factory):
    clock = Clock()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a pid that ran here and has exited
    old = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, pid=dead_pid)
    await old.register()
    await _queue(uow_factory)
    await _claim(uow_factory, old, clock())

    new = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER)  # this process, same host
    assert await new.register() == 1  # at start-up, no waiting for dead_after
    [taken] = await _claim(uow_factory, new, clock())
    assert taken.claimed_by == new.id and outbox.was_interrupted(taken)


async def test_a_live_but_stuck_worker_is_taken_over_only_after_the_stale_timeout(uow_factory):
    clock = Clock()
    a = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-a", pid=111)
    b = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-b", pid=222)
    await a.register()
    await b.register()
    await _queue(uow_factory)
    await _claim(uow_factory, a, clock())
    clock.now += STALE - timedelta(seconds=1)
    await a.beat()
    assert await _claim(uow_factory, b, clock()) == []
    clock.now += timedelta(seconds=2)
    await a.beat()  # still beating, but its send has hung for longer than the stale timeout
    [taken] = await _claim(uow_factory, b, clock())
    assert taken.claimed_by == b.id


async def test_a_process_reaped_during_an_outage_registers_again_when_it_beats(uow_factory):
    clock = Clock()
    a = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-a", pid=111)
    b = ProcessRegistry(uow_factory, clock, dead_after=DEAD_AFTER, host="host-b", pid=222)
    await a.register()
    await b.register()
    clock.now += DEAD_AFTER * 2
    await b.beat()
    await b.reap()  # a looked dead
    await a.beat()  # a was only cut off: back in
    async with uow_factory() as uow:
        assert {p.id for p in (await uow.session.exec(select(ProcessBeat))).all()} == {a.id, b.id}
