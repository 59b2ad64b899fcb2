"""Benchmark: SIGKILL of the real `qm run` in the middle of a 1,000-recipient SMS mailing.

    python -m bench.jobs.crash [--recipients 1000] [--rate 100] [--kill-at 300] [--postgres]

The outbox's stale timeout stays at its default (300 s). The first `qm run` is killed once
Twilio (the local test server) has taken `--kill-at` messages, with a batch claimed and some
of it sent but not recorded (one answer is also lost on the way: crash_after_accept). A second
`qm run` is started at once. Printed: how long after the restart every recipient had the
message, how many were reconciled (found at Twilio, not sent again), duplicates (must be 0)
and lost (must be 0), and when the sends the dead process had in flight were settled.
`--baseline` repeats the run with the take-over switched off (jobs.claim_takeover false, the
behaviour before heartbeats): the claimed sends then wait for the stale timeout; `--stale S`
shortens that timeout so the baseline finishes in reasonable time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from storage.engine import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.fakes.telegram_server import TelegramServer
from tests.fakes.twilio_server import TwilioServer
from tests.fakes.fixtures import TWILIO_NUMBER
from tests.jobs.e2e_helpers import queue_mailing_for
from tests.qm_process import TOKEN, QmRun, free_port, qm_env

PG = os.environ.get("QM_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG.replace("+asyncpg", "") + "/postgres")
    await conn.execute(sql)
    await conn.close()


async def one_run(url: str, args, *, heartbeat: bool, workdir: Path) -> dict:
    engine = create_engine(url)
    await upgrade(engine)
    uow = UnitOfWorkFactory(session_factory(engine))
    await queue_mailing_for(uow, args.recipients)
    await engine.dispose()
    with TelegramServer(token=TOKEN) as telegram, TwilioServer(numbers=[TWILIO_NUMBER]) as twilio:
        port = free_port()
        env = qm_env(url, telegram, **twilio.env(), QM_HTTP_PORT=str(port), QM_PUBLIC_URL=f"http://127.0.0.1:{port}",
                     QM_MAILINGS__RATE_PER_S=str(args.rate), QM_MAILINGS__QUIET_HOURS="",
                     QM_JOBS__OUTBOX_STALE_AFTER_S=str(args.stale), QM_JOBS__OUTBOX_EVERY_S="0.5",
                     QM_JOBS__RETRY_BASE_S="1",
                     QM_JOBS__CLAIM_TAKEOVER="true" if heartbeat else "false")
        twilio.crash_after_accept()
        first = QmRun(env, workdir / f"qm-1-{heartbeat}.log").start(wait=False)
        await asyncio.to_thread(twilio.wait_for, count=args.kill_at, timeout=300)
        first.stop(signal.SIGKILL)
        killed_at = len(twilio.messages())
        orphans = await _in_flight(url)  # claimed by the dead process, not recorded as sent
        restarted = time.monotonic()
        second = QmRun(env, workdir / f"qm-2-{heartbeat}.log").start(wait=False)
        try:
            orphans_s = await _settled(url, orphans, args.timeout) - restarted
            await asyncio.to_thread(lambda: _wait_recipients(twilio, args.recipients, args.timeout))
            recovered = time.monotonic() - restarted
        finally:
            second.stop()
        log = second.log()
    per_phone = Counter(m.to for m in twilio.messages())
    reconciled = sum(int(x) for x in re.findall(r"reconciled=(\d+)", log))
    taken = re.search(r"(\d+) outbox send\(s\) they claimed", log)
    return {"killed_at": killed_at, "recovered_s": recovered, "orphans": len(orphans), "orphans_s": orphans_s, "duplicates": sum(k - 1 for k in per_phone.values()),
            "lost": args.recipients - len(per_phone), "reconciled": reconciled,
            "orphaned_claims": int(taken.group(1)) if taken else 0}


async def _in_flight(url: str) -> list[int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [r[0] for r in (await conn.exec_driver_sql("SELECT id FROM outbox WHERE status = 'sending'")).all()]
    finally:
        await engine.dispose()


async def _settled(url: str, ids: list[int], timeout: float) -> float:
    """When every row the dead process had in flight is sent (monotonic time)."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while ids and time.monotonic() < deadline:
            async with engine.connect() as conn:
                left = (await conn.exec_driver_sql(
                    f"SELECT count(*) FROM outbox WHERE status <> 'sent' AND id IN ({','.join(map(str, ids))})")).scalar()
            if not left:
                break
            await asyncio.sleep(0.2)
        return time.monotonic()
    finally:
        await engine.dispose()


def _wait_recipients(twilio, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len({m.to for m in twilio.messages()}) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len({m.to for m in twilio.messages()})} of {n} recipients after {timeout} s")
        time.sleep(0.1)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--kill-at", type=int, default=300)
    ap.add_argument("--stale", type=float, default=300.0, help="jobs.outbox_stale_after_s (default: the shipped 300)")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--baseline", action="store_true", help="also run with the heartbeat take-over switched off")
    args = ap.parse_args()
    modes = [True, False] if args.baseline else [True]
    for heartbeat in modes:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            if args.postgres:
                name = f"qm_bench_{uuid.uuid4().hex[:8]}"
                await _admin(f'CREATE DATABASE "{name}"')
                url = f"{PG}/{name}"
            else:
                url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
            try:
                r = await one_run(url, args, heartbeat=heartbeat, workdir=workdir)
            finally:
                if args.postgres:
                    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        label = "heartbeat take-over" if heartbeat else f"stale timeout only ({args.stale:g} s)"
        print(f"{label}: {args.recipients} recipients at {args.rate:g}/s, killed after {r['killed_at']} sent; "
              f"{r['orphans']} sends in flight at the kill settled {r['orphans_s']:.1f} s after the restart; "
              f"all sent {r['recovered_s']:.1f} s after it; claims taken at start-up: {r['orphaned_claims']}, "
              f"reconciled (found at Twilio, not resent): {r['reconciled']}; duplicates {r['duplicates']}, lost {r['lost']}",
              flush=True)


if __name__ == "__main__":
    asyncio.run(main())
