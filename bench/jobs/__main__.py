"""Benchmark: a large SMS mailing on PostgreSQL through the outbox.

    python -m bench.jobs [--recipients 100000] [--send 15000] [--rate 400] [--processes 1 3]

Measures, on a fresh PostgreSQL database:
  - enqueue: queue_mailing for the whole group (audience + one outbox row per recipient, one transaction)
  - send: `--send` of those rows sent by 1 and then 3 sender processes (each what `qm run` runs for SMS)
    against the local Twilio server, paced at `--rate` messages/s for the deployment: the sustained
    rate (Twilio's own message timestamps, first to last) against that limit, and duplicates (must be 0)
  - baseline: the bare twilio client against the same server with the same concurrency and no outbox
    (the ceiling the server and the machine allow), same run.
The rows beyond `--send` are set aside before sending so each run stays within minutes.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import sqlalchemy as sa

from domain import mailings
from domain.models import ClientGroup, Customer, Role, User
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.fakes.twilio_server import TwilioServer

PG = os.environ.get("QM_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
FROM = "+15017122661"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG.replace("+asyncpg", "") + "/postgres")
    await conn.execute(sql)
    await conn.close()


async def seed(url: str, n: int) -> tuple[UnitOfWorkFactory, object, int]:
    engine = create_engine(url)
    await upgrade(engine)
    uow = UnitOfWorkFactory(session_factory(engine))
    async with uow() as u:
        boss = User(name="Bench Boss", role=Role.manager, telegram_id=1)
        group = ClientGroup(name="All", kind="manual")
        u.session.add_all([boss, group])
        await u.session.flush()
        conn = await u.session.connection()
        await conn.execute(sa.insert(Customer.__table__), [
            {"code": f"B{i:06d}", "name": f"Shop {i}", "phone": f"+1555{i:07d}", "sms_consent": True, "tags": "",
             "aliases": "", "created_at": datetime.now(timezone.utc)} for i in range(n)])
        await conn.execute(sa.text("INSERT INTO client_group_members (group_id, customer_id) SELECT :g, id FROM customers"),
                           {"g": group.id})
        await u.commit()
        return uow, engine, boss.id


async def enqueue(uow, boss_id: int) -> tuple[int, float]:
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    async with uow() as u:
        boss = await u.session.get(User, boss_id)
        m, _ = await mailings.draft_mailing(u.session, boss, "All", "Hello {first_name}, spring sale at {company}!",
                                            today=now.date(), default_tz="UTC")
        await mailings.queue_mailing(u.session, boss, m.id, now=now, today=now.date(), default_tz="UTC", quiet=None)
        await u.commit()
    return m.id, time.perf_counter() - t0


async def keep_only(uow, mailing_id: int, n: int) -> None:
    async with uow() as u:
        await u.session.exec(sa.text(
            "UPDATE outbox SET status = 'skipped', error = 'bench: not sent' WHERE cause = :c AND id NOT IN "
            "(SELECT id FROM outbox WHERE cause = :c ORDER BY id LIMIT :n)").bindparams(c=f"mailing:{mailing_id}", n=n))
        await u.commit()


async def reset(uow, mailing_id: int, n: int) -> None:
    async with uow() as u:
        await u.session.exec(sa.text("DELETE FROM outbox_pace"))
        await u.session.exec(sa.text(
            "UPDATE outbox SET status = 'pending', provider_id = NULL, sent_at = NULL, attempts = 0, claimed_at = NULL, "
            "not_before = now() WHERE cause = :c AND status <> 'skipped'").bindparams(c=f"mailing:{mailing_id}"))
        await u.commit()


async def count_unsent(uow, mailing_id: int) -> int:
    async with uow() as u:
        return (await u.session.exec(sa.text("SELECT count(*) FROM outbox WHERE cause = :c AND status IN ('pending', 'sending')")
                                     .bindparams(c=f"mailing:{mailing_id}"))).one()[0]


def run_senders(url: str, server: TwilioServer, processes: int, rate: float, concurrency: int) -> float:
    args = [url, server.base_url, server.account_sid, server.auth_token, FROM, str(rate), str(concurrency)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "bench.jobs.sender", *args]) for _ in range(processes)]
    for p in procs:
        p.wait()
    return time.perf_counter() - t0


def rate_of(messages) -> float:
    import email.utils

    stamps = sorted(email.utils.parsedate_to_datetime(m.resource["date_created"]).timestamp() for m in messages)
    return (len(stamps) - 1) / max(1e-9, stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0


def baseline(server: TwilioServer, n: int, concurrency: int) -> float:
    client = server.client()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda i: client.messages.create(to=f"+1666{i:07d}", from_=FROM, body="baseline"), range(n)))
    return n / (time.perf_counter() - t0)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=100_000)
    ap.add_argument("--send", type=int, default=15_000)
    ap.add_argument("--rate", type=float, default=400.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    args = ap.parse_args()
    name = f"qm_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = f"{PG}/{name}"
    try:
        uow, engine, boss_id = await seed(url, args.recipients)
        mailing_id, enqueue_s = await enqueue(uow, boss_id)
        print(f"enqueue: {args.recipients:,} recipients -> outbox rows in {enqueue_s:.1f} s "
              f"({args.recipients / enqueue_s:,.0f} rows/s), one transaction")
        send = min(args.send, args.recipients)
        await keep_only(uow, mailing_id, send)
        with TwilioServer(numbers=[FROM]) as server:
            base = baseline(server, min(3000, send), args.concurrency)
            print(f"baseline: bare twilio client -> local Twilio server, {args.concurrency} threads, no outbox: {base:,.0f} msg/s")
            for n_proc in args.processes:
                await reset(uow, mailing_id, send)
                before = {m.sid for m in server.messages()}
                wall = run_senders(url, server, n_proc, args.rate, args.concurrency)
                new = [m for m in server.messages() if m.sid not in before and m.body != "baseline"]
                dups = sum(k - 1 for k in Counter(m.to for m in new).values())
                unsent = await count_unsent(uow, mailing_id)
                r = rate_of(new)
                print(f"send, {n_proc} process(es): {len(new):,} messages, sustained {r:,.0f} msg/s "
                      f"(limit {args.rate:g}/s: {r / args.rate:.2f}x; bare client {r / base:.2f}x), "
                      f"duplicates {dups}, unsent {unsent}, wall {wall:.1f} s incl. start-up")
        await engine.dispose()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
