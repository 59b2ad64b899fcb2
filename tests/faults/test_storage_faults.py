"""Storage failing: SQLite's disk full (simulated with PRAGMA max_page_count, which makes
SQLite answer exactly as on a full disk: SQLITE_FULL "database or disk is full"), and
PostgreSQL connections terminated again and again (pg_terminate_backend on the test's own
database only) while a mailing is being sent."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from bot.twilio.notifier import TwilioSmsNotifier
from domain.models import Outbox, StockMove
from jobs.outbox_worker import SendPolicy, drain
from storage.engine import create_engine
from tests.fakes.fixtures import TWILIO_NUMBER
from tests.jobs.e2e_helpers import queue_mailing_for

from ..dialogue_helpers import Chat, dialogue_for
from .conftest import WORKER, add_people, build_services, ledger_snapshot, pick_up_to_quantity
from .outage import Outage

UNAVAILABLE = "The database is not answering right now. Nothing was saved; please try again in a moment."


async def test_sqlite_full_disk_is_told_apart_as_unavailable(database_url):
    """What a full disk looks like from SQLite (PRAGMA max_page_count makes the file unable to
    grow, as a full disk does): SQLITE_FULL, which storage/errors.py counts as unavailable."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's disk")
    from storage.errors import is_unavailable

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar()
            await conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
            with pytest.raises(sa.exc.OperationalError) as err:
                await conn.exec_driver_sql("CREATE TABLE filler AS SELECT zeroblob(100000) AS x")
        assert "database or disk is full" in str(err.value) and is_unavailable(err.value)
    finally:
        await engine.dispose()


def _disk_full(engine, state: dict):
    """While state["full"], every write fails as SQLite fails on a full disk (SQLITE_FULL). Injected
    per statement: a real full disk refuses the first write that needs a new page, which a test
    cannot aim at one booking."""
    import sqlite3

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _refuse(conn, cursor, statement, parameters, context, executemany):
        if state["full"] and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")
    return _refuse


async def test_sqlite_disk_full_during_a_pick_saves_nothing_and_works_once_space_is_back(demo_database_url,
                                                                                         record_figure):
    if not demo_database_url.startswith("sqlite"):
        pytest.skip("SQLite's disk")
    engine = create_engine(demo_database_url)
    services = build_services(engine, demo_database_url)
    await add_people(services)
    worker = Chat(dialogue_for(services), external_id=str(WORKER))
    order, task = await pick_up_to_quantity(services, worker)
    before = await ledger_snapshot(services, order)

    state = {"full": True}
    _disk_full(engine, state)
    assert await worker.text(str(int(task.quantity))) == UNAVAILABLE  # what the worker reads
    assert await ledger_snapshot(services, order) == before  # nothing booked, the step is unchanged

    state["full"] = False  # the operator frees space
    freed = time.monotonic()
    reply = await worker.text(str(int(task.quantity)))  # the worker tries again
    recovered_s = time.monotonic() - freed
    assert "Picked" in reply
    after = await ledger_snapshot(services, order)
    assert after["picked"] == before["picked"] + task.quantity  # booked once
    async with services.uow() as uow:
        moves = (await uow.session.exec(select(func.count()).select_from(StockMove).where(
            StockMove.document == order.number, StockMove.reason == "pick"))).one()
    assert moves == 1
    await engine.dispose()
    record_figure("SQLite disk full during a pick", lost=0, duplicated=0, recovered_s=round(recovered_s, 2))


async def test_postgres_connections_killed_again_and_again_during_a_mailing(database_url, uow_factory, twilio_server,
                                                                           engine, record_figure):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's connections")
    n = 200
    mailing_id = await queue_mailing_for(uow_factory, n)
    services = build_services(engine, database_url, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token,
        "api_base_url": twilio_server.base_url, "from_number": TWILIO_NUMBER})
    sms = TwilioSmsNotifier(services.settings)
    policy = SendPolicy(limit=25, concurrency=4, retry_base_s=0.2, stale_after=timedelta(seconds=2))
    now = lambda: datetime.now(timezone.utc) + timedelta(seconds=1)  # noqa: E731
    outage = Outage(database_url)

    async def killer(stop: asyncio.Event) -> int:
        kills = 0
        while not stop.is_set():
            await asyncio.sleep(0.15)
            await outage.terminate_connections()
            kills += 1
        return kills

    async def sender(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await drain(services.uow, sms, now=now, policy=policy, budget_s=5)
            except Exception:  # what the scheduler's job guard does: log, try on the next tick
                await asyncio.sleep(0.1)

    stop_kills, stop_send = asyncio.Event(), asyncio.Event()
    started = time.monotonic()
    kill_task = asyncio.create_task(killer(stop_kills))
    send_task = asyncio.create_task(sender(stop_send))
    await asyncio.sleep(2.0)  # two seconds of connections dying every 150 ms
    stop_kills.set()
    kills = await kill_task
    stopped = time.monotonic()
    deadline = stopped + 30
    while time.monotonic() < deadline and len({m.to for m in twilio_server.messages()}) < n:
        await asyncio.sleep(0.1)
    recovered_s = time.monotonic() - stopped
    await asyncio.sleep(3)  # anything stale would be taken and (wrongly) sent again by now
    stop_send.set()
    await send_task
    per_phone = Counter(m.to for m in twilio_server.messages())
    async with uow_factory() as uow:
        rows = (await uow.session.exec(select(Outbox).where(Outbox.cause == f"mailing:{mailing_id}"))).all()
    assert kills >= 5
    assert len(per_phone) == n and set(per_phone.values()) == {1}  # none lost, none twice
    assert {r.status for r in rows} == {"sent"} and len({r.provider_id for r in rows}) == n
    record_figure("PostgreSQL connections killed every 150 ms for 2 s during a 200-SMS mailing", kills=kills,
                  lost=0, duplicated=0, recovered_s=round(recovered_s, 1),
                  total_s=round(time.monotonic() - started, 1))
