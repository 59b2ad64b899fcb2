"""End-to-end throughput and latency of `qm run` under simulated Telegram users.

    python -m bench.e2e [--db sqlite|postgres|both] [--users 32] [--seconds 15]

Each simulated user sends /help, waits for the reply, and sends again (closed
loop), through a local server speaking the Bot API. Latency is from the
moment the update is queued at the server to the bot's sendMessage arriving
there. The same load is run against a bare python-telegram-bot echo bot (the
baseline: PTB + HTTP, no database, no dialogue) and the ratio is printed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tests.fakes.telegram_server import TelegramServer
from tests.qm_process import ROOT, TOKEN, QmRun, qm_env

PG_BASE = os.environ.get("QM_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def load(server: TelegramServer, users: list[int], seconds: float, text: str = "/help") -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user_loop(uid: int) -> None:
        while time.monotonic() < stop_at:
            t0 = time.time()
            server.send_text(uid, text, first_name=f"U{uid}")
            calls = server.wait_for(chat_id=uid, method="sendMessage", timeout=30)
            with lock:
                latencies.append(calls[-1].at - t0)

    # warm-up: one round per user, not measured
    for uid in users:
        server.send_text(uid, text)
    for uid in users:
        server.wait_for(chat_id=uid, method="sendMessage", timeout=60)
    started = time.monotonic()
    threads = [threading.Thread(target=user_loop, args=(u,)) for u in users]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"updates": len(latencies), "per_s": len(latencies) / elapsed, "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000}


async def _prepare(url: str, users: list[int]) -> None:
    from domain.models import User
    from storage.engine import create_engine, session_factory
    from storage.migrate import upgrade

    engine = create_engine(url)
    await upgrade(engine)
    async with session_factory(engine)() as s:
        s.add_all([User(name=f"U{u}", role="sales", telegram_id=u) for u in users])
        await s.commit()
    await engine.dispose()


async def _pg_database(create: bool, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_BASE.replace("+asyncpg", "") + "/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def run_qm(db: str, users: list[int], seconds: float, workdir: Path, cap: int) -> dict:
    name = f"qm_bench_{uuid.uuid4().hex[:8]}"
    if db == "postgres":
        asyncio.run(_pg_database(True, name))
        url = f"{PG_BASE}/{name}"
    else:
        url = f"sqlite+aiosqlite:///{workdir / f'{name}.sqlite3'}"
    try:
        asyncio.run(_prepare(url, users))
        with TelegramServer(token=TOKEN) as server:
            env = qm_env(url, server, QM_LOGGING__LEVEL="WARNING", QM_TELEGRAM__MAX_MESSAGES_PER_S=str(cap))
            with QmRun(env, workdir / f"{name}.log"):
                return load(server, users, seconds)
    finally:
        if db == "postgres":
            asyncio.run(_pg_database(False, name))


def run_echo(users: list[int], seconds: float) -> dict:
    with TelegramServer(token=TOKEN) as server:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
               "TELEGRAM_API_FILE_URL": server.base_file_url}
        proc = subprocess.Popen([sys.executable, "-m", "bench.e2e.echo_bot"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return load(server, users, seconds)
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--users", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--cap", type=int, default=0,
                    help="telegram.max_messages_per_s for qm run (default 0: no cap, to measure capacity; production uses 30)")
    args = ap.parse_args()
    users = list(range(10_001, 10_001 + args.users))
    print(f"{args.users} simulated users, closed loop, /help, {args.seconds:.0f} s per run, {os.cpu_count()} cores, "
          f"outgoing cap {args.cap or 'off'}")
    base = run_echo(users, args.seconds)
    print(f"baseline PTB echo bot : {base['per_s']:7.1f} updates/s  p50 {base['p50_ms']:6.1f} ms  p95 {base['p95_ms']:6.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
            r = run_qm(db, users, args.seconds, Path(tmp), args.cap)
            print(f"qm run on {db:<8}     : {r['per_s']:7.1f} updates/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms"
                  f"   ({r['per_s'] / base['per_s']:.2f}x the echo bot's throughput)")


if __name__ == "__main__":
    main()
