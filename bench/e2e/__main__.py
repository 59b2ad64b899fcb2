"""End-to-end latency and capacity of `qm run` under simulated Telegram users.

    python -m bench.e2e [--only open,closed,scale,ready] [--db sqlite|postgres|both]
                        [--rate 30] [--open-seconds 40] [--users 32] [--seconds 15] [--cap 0]

open:   open loop: updates arrive at --rate per second (Poisson) whatever the replies, a mix of
        free text through the language model, pick steps and barcode photos (bench/e2e/mix.py);
        p50/p95/p99 per kind, errors, throughput; targets p95 <= 50 ms text and pick, <= 200 ms photo.
closed: closed loop: --users people each send /help, wait for the reply and send again (capacity).
scale:  the closed loop on PostgreSQL in webhook mode, 1 then 2 `qm run` processes on one port
        (http.reuse_port: SO_REUSEPORT, the kernel spreads the webhook's connections).
ready:  `qm run` start-up on an existing (seeded) database until /healthz answers with the
        language model in, three times: min/median/max.

Everything goes through a local server speaking the Bot API (tests/fakes). Latency is from the
moment the update is queued at the server to the bot's reply arriving there. The same open and
closed loads are run against a bare python-telegram-bot echo bot (the baseline: PTB + HTTP, no
database, no dialogue) in the same run, and the ratios are printed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tests.fakes.telegram_server import TelegramServer
from tests.qm_process import ROOT, TOKEN, QmRun, free_port, qm_env

from . import mix as mixes
from .openloop import OpenLoop, judge, report

PG_BASE = os.environ.get("QM_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def load(server: TelegramServer, users: list[int], seconds: float, text: str = "/help", pid: int | None = None) -> dict:
    """pid: the bot's process, whose CPU time per update is reported (what the throughput costs it,
    less sensitive to other work on the machine than the rate)."""
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
        try:
            server.wait_for(chat_id=uid, method="sendMessage", timeout=60)
        except AssertionError:  # a bot whose send timed out on a very busy machine: once more
            server.send_text(uid, text)
            server.wait_for(chat_id=uid, method="sendMessage", timeout=60)
    started, cpu0, own0 = time.monotonic(), _cpu_seconds(pid) if pid else 0.0, time.process_time()
    threads = [threading.Thread(target=user_loop, args=(u,)) for u in users]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    cpu = _cpu_seconds(pid) - cpu0 if pid else float("nan")
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"updates": len(latencies), "per_s": len(latencies) / elapsed, "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000,
            "cpu_ms": cpu / len(latencies) * 1000, "bench_cpu_ms": (time.process_time() - own0) / len(latencies) * 1000}


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


async def fresh_database(db: str, prefix: str, folder: Path | None = None) -> tuple[str, str]:
    """A new, empty database for one run: its URL and its name (PostgreSQL: created on the local
    server, dropped by the caller with _pg_database(False, name); SQLite: a file in `folder`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if db == "postgres":
        await _pg_database(True, name)
        return f"{PG_BASE}/{name}", name
    return f"sqlite+aiosqlite:///{(folder or Path(tempfile.mkdtemp())) / f'{name}.sqlite3'}", name


def run_qm(db: str, users: list[int], seconds: float, workdir: Path, cap: int) -> dict:
    url, name = asyncio.run(fresh_database(db, "qm_bench", workdir))
    try:
        asyncio.run(_prepare(url, users))
        with TelegramServer(token=TOKEN) as server:
            env = qm_env(url, server, QM_LOGGING__LEVEL="WARNING", QM_TELEGRAM__MAX_MESSAGES_PER_S=str(cap),
                         QM_RATE_LIMITS__MESSAGE="")  # a simulated user sends far faster than a person
            with QmRun(env, workdir / f"{name}.log") as run:
                return load(server, users, seconds, pid=run.proc.pid)
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
            return load(server, users, seconds, pid=proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


def _database(db: str, workdir: Path) -> tuple[str, str]:
    name = f"qm_bench_{uuid.uuid4().hex[:8]}"
    if db == "postgres":
        asyncio.run(_pg_database(True, name))
        return name, f"{PG_BASE}/{name}"
    return name, f"sqlite+aiosqlite:///{workdir / f'{name}.sqlite3'}"


def _drop(db: str, name: str) -> None:
    if db == "postgres":
        asyncio.run(_pg_database(False, name))


def echo_process(server: TelegramServer) -> subprocess.Popen:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "TELEGRAM_API_FILE_URL": server.base_file_url}
    return subprocess.Popen([sys.executable, "-m", "bench.e2e.echo_bot"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def open_loop(args, dbs: list[str], workdir: Path) -> None:
    print(f"\n== open loop: {args.rate:g} updates/s (Poisson), {args.open_seconds:.0f} s, mix text/pick/photo "
          f"{args.mix}, outgoing cap {args.cap or 'off'}, load average {os.getloadavg()[0]:.1f}")
    shares = dict(zip(("text", "pick", "photo"), (float(x) for x in args.mix.split("/"))))
    prepared = {}
    for db in dbs:  # all databases seeded first, so the echo bot runs on the same mix's people and photos
        name, url = _database(db, workdir)
        prepared[db] = (name, url, asyncio.run(mixes.prepare(url)))
    try:
        mix = next(iter(prepared.values()))[2]
        with TelegramServer(token=TOKEN) as server:
            proc = echo_process(server)
            try:
                echo = OpenLoop(server, mix, rate=args.rate, seconds=args.open_seconds, shares=shares, echo=True).run()
            finally:
                proc.terminate()
                proc.wait(10)
        print(report("baseline PTB echo bot", echo))
        for db, (name, url, mix) in prepared.items():
            with TelegramServer(token=TOKEN) as server:
                env = qm_env(url, server, QM_LOGGING__LEVEL="WARNING", QM_TELEGRAM__MAX_MESSAGES_PER_S=str(args.cap))
                with QmRun(env, workdir / f"{name}.log"):
                    r = OpenLoop(server, mix, rate=args.rate, seconds=args.open_seconds, shares=shares).run()
            print(report(f"qm run on {db}", r, samples=args.show_replies))
            for kind in ("text", "pick", "photo"):
                ours, base = r["kinds"][kind], echo["kinds"][kind]
                if ours["n"] and base["n"]:
                    print(f"  {kind:<5} p95 vs the echo bot's: {ours['p95']:.0f} / {base['p95']:.0f} ms = {ours['p95'] / base['p95']:.1f}x")
            print("\n".join(judge(r)))
    finally:
        for db, (name, _, _) in prepared.items():
            _drop(db, name)


def closed_loop(args, dbs: list[str], users: list[int], workdir: Path) -> dict:
    print(f"\n== closed loop: {args.users} simulated users, /help, {args.seconds:.0f} s per run, {os.cpu_count()} cores, "
          f"outgoing cap {args.cap or 'off'}, load average {os.getloadavg()[0]:.1f}")
    base = run_echo(users, args.seconds)
    print(f"baseline PTB echo bot : {base['per_s']:7.1f} updates/s  p50 {base['p50_ms']:6.1f} ms  p95 {base['p95_ms']:6.1f} ms"
          f"  CPU/update {base['cpu_ms']:.2f} ms (bench {base['bench_cpu_ms']:.2f} ms)")
    for db in dbs:
        r = run_qm(db, users, args.seconds, workdir, args.cap)
        print(f"qm run on {db:<8}     : {r['per_s']:7.1f} updates/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms"
              f"  CPU/update {r['cpu_ms']:.2f} ms (bench {r['bench_cpu_ms']:.2f} ms)"
              f"   ({r['per_s'] / base['per_s']:.2f}x the echo bot's throughput)")
    return base


def _wait_running(run: QmRun, timeout: float = 90) -> None:
    """A second process on a shared port: /healthz may answer from the first, so its own log says when it serves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.proc.poll() is not None:
            raise RuntimeError(f"qm run exited:\n{run.log()}")
        if "Quartermaster is running" in run.log():
            time.sleep(2)  # Telegram (setWebhook) comes up in the background
            return
        time.sleep(0.1)
    raise RuntimeError(f"qm run did not start:\n{run.log()}")


def scale(args, users: list[int], workdir: Path) -> None:
    print(f"\n== scale: closed loop, {args.users} users, PostgreSQL, webhook mode, {args.seconds:.0f} s per run, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    results = {}
    for n in (1, 2):
        name, url = _database("postgres", workdir)
        try:
            asyncio.run(_prepare(url, users))
            # up to 40 webhook connections at once, as Telegram (one at a time would measure the test server)
            with TelegramServer(token=TOKEN, webhook_connections=40) as server:
                port = free_port()
                env = qm_env(url, server, QM_LOGGING__LEVEL="WARNING", QM_TELEGRAM__MAX_MESSAGES_PER_S=str(args.cap),
                             QM_HTTP_PORT=str(port), QM_HTTP__REUSE_PORT="true", QM_RATE_LIMITS__MESSAGE="",
                             TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                             TELEGRAM_WEBHOOK_SECRET=secrets.token_urlsafe(16))
                runs = [QmRun(env, workdir / f"{name}-{i}.log") for i in range(n)]
                try:
                    runs[0].start()
                    for run in runs[1:]:
                        run.start(wait=False)
                        _wait_running(run)
                    time.sleep(2)
                    results[n] = load(server, users, args.seconds)
                finally:
                    for run in runs:
                        run.stop()
        finally:
            _drop("postgres", name)
        r = results[n]
        print(f"{n} process(es)          : {r['per_s']:7.1f} updates/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms"
              + (f"   ({r['per_s'] / results[1]['per_s']:.2f}x one process)" if n > 1 else ""))


def ready(args, dbs: list[str], workdir: Path) -> None:
    print(f"\n== ready: `qm run` start-up on an existing seeded database until /healthz answers with the language model in, "
          f"3 runs, load average {os.getloadavg()[0]:.1f}")
    for db in dbs:
        name, url = _database(db, workdir)
        try:
            asyncio.run(mixes.prepare(url, n_text=1, n_pick=1, n_photo=1, orders_each=1))
            times, cpu = [], []
            with TelegramServer(token=TOKEN) as server:
                env = qm_env(url, server, QM_LOGGING__LEVEL="WARNING")
                for i in range(3):
                    t0 = time.monotonic()
                    run = QmRun(env, workdir / f"{name}-ready.log").start(timeout=180)
                    times.append(time.monotonic() - t0)
                    cpu.append(_cpu_seconds(run.proc.pid))
                    run.stop()
            print(f"qm run on {db:<8}     : ready in min {min(times):.2f} / median {statistics.median(times):.2f} / "
                  f"max {max(times):.2f} s wall; CPU of the process by then {min(cpu):.2f} / {statistics.median(cpu):.2f} / "
                  f"{max(cpu):.2f} s (what the wall time would be on an idle core)")
        finally:
            _drop(db, name)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="open,closed,scale,ready", help="comma-separated: open, closed, scale, ready")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--users", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=15, help="closed-loop run length")
    ap.add_argument("--rate", type=float, default=30, help="open loop: updates per second offered")
    ap.add_argument("--open-seconds", type=float, default=40, help="open loop: seconds of sending (targets judged from 30 s)")
    ap.add_argument("--mix", default="0.5/0.4/0.1", help="open loop: shares of text/pick/photo")
    ap.add_argument("--show-replies", action="store_true", help="open loop: print the last replies of each kind")
    ap.add_argument("--cap", type=int, default=0,
                    help="telegram.max_messages_per_s for qm run (default 0: no cap, to measure capacity; production uses 30)")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    users = list(range(10_001, 10_001 + args.users))
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        if "open" in parts:
            open_loop(args, dbs, Path(tmp))
        if "closed" in parts:
            closed_loop(args, dbs, users, Path(tmp))
        if "scale" in parts:
            scale(args, users, Path(tmp))
        if "ready" in parts:
            ready(args, dbs, Path(tmp))
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
