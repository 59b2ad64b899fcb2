"""Where ONE update's wall time goes, from its arrival at the Bot API server to the reply's HTTP
request leaving `qm run`'s Telegram application: the real python-telegram-bot Application that
`qm run` builds (bot/telegram/application.py: long polling, the rate limiter, the dialogue, the
replies) against the local Bot API server of tests/fakes, in one process, one update at a time
(no queueing behind other updates), stamped with time.perf_counter at each hand-over.

    python -m bench.e2e.trace [--db sqlite|postgres] [--n 60] [--kind text|pick|help|both] [--cap 30]
                               [--profile TOP [--sort tottime]]

Per kind, the median and p90 of each segment over --n updates, and what the event loop's thread
spent on the CPU in between (time.thread_time), so the wall time beyond the CPU shows segment by
segment: waiting for another thread (aiosqlite's, the test server's), the database server, the
event loop. Counts per update: SQL statements, HTTP requests, event-loop iterations.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import io
import os
import pstats
import random
import statistics
import time

import httpx
import sqlalchemy as sa

from . import mix as mixes
from .__main__ import _pg_database, fresh_database

SEGMENTS = [
    ("arrive->polled", "arrive", "polled", "the update waits in the server for a getUpdates to take it"),
    ("polled->queued", "polled", "queued", "getUpdates answer to the update in PTB's queue (HTTP, JSON, Update objects)"),
    ("queued->handler", "queued", "handler", "PTB's queue to our handler (task hand-off)"),
    ("handler->dialogue", "handler", "dialogue", "to_inbound"),
    ("dialogue->begin", "dialogue", "begin", "before the transaction (rate limit, decode)"),
    ("begin->commit", "begin", "committing", "the transaction (statements, NLU, the handler) to COMMIT"),
    ("COMMIT", "committing", "committed", "COMMIT itself"),
    ("commit->done", "committed", "done", "after COMMIT: session close, metrics"),
    ("done->request", "done", "request", "the reply built, rate limiter, to the HTTP request leaving"),
    ("request->server", "request", "server", "the request on the wire to the server's handler"),
]


class Stamps:
    def __init__(self):
        self.cur: dict[str, float] | None = None
        self.cpu: dict[str, float] = {}
        self.all: list[dict[str, float]] = []
        self.sql_in_tx: list[float] = []
        self.by_stmt: dict[str, list[float]] = collections.defaultdict(list)
        self.stmts = self.trips = 0
        self.http = collections.Counter()

    def start(self):
        self.cur, self.cpu = {}, {}
        self.stmts, self.trips, self.sql_in_tx = 0, 0, []
        self.http.clear()

    def mark(self, name: str, *, first: bool = True, thread_cpu: bool = True) -> None:
        if self.cur is None or (first and name in self.cur):
            return
        self.cur[name] = time.perf_counter()
        if thread_cpu:
            self.cpu[name] = time.thread_time()


S = Stamps()


def instrument(server, services) -> None:
    """Stamps at every hand-over; nothing here changes what runs."""
    from bot.dialogue import engine as dialogue_engine
    from bot.telegram import application as tg_app

    get_updates = server.__class__._api_getUpdates

    def traced_get_updates(self, params, files):
        out = get_updates(self, params, files)
        if out:
            S.mark("polled", thread_cpu=False)
        return out
    server.__class__._api_getUpdates = traced_get_updates

    record = server._calls.add

    def traced_add(call):
        if getattr(call, "method", "") in ("sendMessage", "sendPhoto"):
            S.mark("server", thread_cpu=False)
        record(call)
    server._calls.add = traced_add

    send = httpx.AsyncClient.send

    async def traced_send(self, request, **kw):
        method = request.url.path.rsplit("/", 1)[-1]
        S.http[method] += 1
        if method in ("sendMessage", "sendPhoto"):
            S.mark("request")
        resp = await send(self, request, **kw)
        if method in ("sendMessage", "sendPhoto"):
            S.mark("response")
        return resp
    httpx.AsyncClient.send = traced_send

    handle = dialogue_engine.Dialogue._handle

    async def traced_handle(self, inbound):
        S.mark("dialogue")
        try:
            return await handle(self, inbound)
        finally:
            S.mark("done")
    dialogue_engine.Dialogue._handle = traced_handle

    on_update = tg_app.on_update

    async def traced_on_update(update, context):
        S.mark("handler")
        await on_update(update, context)
        S.mark("sent")
    tg_app.on_update = traced_on_update

    _instrument_database(services)


def _instrument_database(services) -> None:
    """Statements, trips to aiosqlite's thread, BEGIN and COMMIT."""
    from storage import uow as uow_mod

    engine = services.engine.sync_engine
    import aiosqlite

    to_thread = aiosqlite.Connection._execute

    async def traced_execute(self, fn, *args, **kw):  # one trip to aiosqlite's thread and back
        S.trips += 1
        return await to_thread(self, fn, *args, **kw)
    aiosqlite.Connection._execute = traced_execute

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, *_):
        S.stmts += 1
        if statement.startswith("BEGIN"):
            S.mark("begin")
        S._t, S._stmt = time.perf_counter(), " ".join(statement.split())[:110]

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(*_):
        took = time.perf_counter() - S._t
        S.sql_in_tx.append(took)
        S.by_stmt[S._stmt].append(took)

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        S.mark("begin")

    @sa.event.listens_for(engine, "commit")
    def _commit(conn):
        S.mark("committing")


    commit = uow_mod.UnitOfWork.commit

    async def traced_commit(self):
        await commit(self)
        S.mark("committed")
    uow_mod.UnitOfWork.commit = traced_commit


class LoopTicks:
    """Event-loop iterations (each select() call), counted through the selector."""

    def __init__(self, loop):
        self.n = 0
        sel = loop._selector
        orig = sel.select

        def select(timeout=None):
            self.n += 1
            return orig(timeout)
        sel.select = select


def _put_traced(queue):
    put = queue.put

    async def traced_put(item):
        S.mark("queued")
        await put(item)
    queue.put = traced_put


async def run(a) -> None:
    from bot.app import build_dialogue, open_services
    from bot.heap import freeze_startup_heap
    from bot.runtime import _load_language
    from bot.settings import load_settings
    from bot.telegram.application import build_application
    from bot.telegram.supervisor import ALLOWED_UPDATES
    from tests.fakes.telegram_server import TelegramServer
    from tests.qm_process import TOKEN

    url, name = await fresh_database(a.db, "qm_tr")
    server = TelegramServer(token=TOKEN).start()
    try:
        mix = await mixes.prepare(url, n_text=4, n_pick=4, n_photo=1, orders_each=2)
        settings = load_settings(database={"url": url}, rate_limits={"message": ""},
                                 telegram={"bot_token": TOKEN, "api_base_url": server.base_url,
                                           "api_file_url": server.base_file_url, "max_messages_per_s": a.cap,
                                           "poll_timeout_s": 1})
        services = await open_services(settings, with_nlu=False, seed_if_empty=False)
        dialogue = build_dialogue(services)
        names = await _load_language(services)
        instrument(server, services)
        app = build_application(dialogue, webhook=False)
        await app.initialize()
        _put_traced(app.update_queue)
        await app.start()
        await app.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES)
        freeze_startup_heap()
        ticks = LoopTicks(asyncio.get_running_loop())
        pickers = {u: mixes.Picker(mix.pick_orders[u]) for u in mix.pick_users}
        rnd = random.Random(3)

        async def one(kind: str, uid: int) -> tuple[dict, dict, int, int, collections.Counter, float]:
            text = {"text": lambda: mixes.text_message(rnd, mix), "help": lambda: "/help"}.get(kind, lambda: pickers[uid].next)()
            S.start()
            t0 = ticks.n
            S.cur["arrive"] = time.perf_counter()
            server.send_text(uid, text, first_name=f"U{uid}")
            calls = await server.await_for(chat_id=uid, method="sendMessage", timeout=30)
            while "sent" not in S.cur:
                await asyncio.sleep(0.001)
            await asyncio.sleep(a.gap / 1000)  # under the rate limiter's cap: one update's time, not the cap's
            if kind == "pick":
                pickers[uid].heard(calls[-1].text or "")
            return dict(S.cur), dict(S.cpu), S.stmts, ticks.n - t0, collections.Counter(S.http), sum(S.sql_in_tx), S.trips

        for uid in mix.pick_users:
            await one("pick", uid)
        kinds = ["text", "pick"] if a.kind == "both" else [a.kind]  # help: the closed loop's message
        for kind in kinds:
            users = mix.pick_users if kind == "pick" else mix.text_users
            for i in range(5):
                await one(kind, users[i % len(users)])
            S.by_stmt.clear()
            prof = cProfile.Profile() if a.profile else None
            if prof is not None:  # the event loop's thread only: the test server's threads are not ours
                prof.enable()
            rows = [await one(kind, users[i % len(users)]) for i in range(a.n)]
            if prof is not None:
                prof.disable()
            _print(kind, a, rows)
            if prof is not None:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats(a.sort).print_stats(a.profile)
                print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        names.cancel()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await services.engine.dispose()
    finally:
        server.stop()
        if a.db == "postgres":
            await _pg_database(False, name)


def _q(v: list[float], p: float) -> float:
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]


def _print(kind: str, a, rows) -> None:
    print(f"\n== one {kind} update at a time on {a.db}: {len(rows)} updates, rate limiter cap {a.cap or 'off'}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'segment':<20} {'wall p50':>9} {'p90':>7} {'loop CPU p50':>13}  what")
    for label, s, e, what in SEGMENTS:
        wall = [r[0][e] - r[0][s] for r in rows if s in r[0] and e in r[0]]
        cpu = [r[1][e] - r[1][s] for r in rows if s in r[1] and e in r[1]]
        if not wall:
            continue
        c = f"{statistics.median(cpu) * 1000:10.2f} ms" if cpu else " " * 13
        print(f"{label:<20} {statistics.median(wall) * 1000:6.2f} ms {_q(wall, .9) * 1000:5.1f} ms {c}  {what}")
    total = [r[0]["server"] - r[0]["arrive"] for r in rows if "server" in r[0]]
    handler = [r[1]["request"] - r[1]["handler"] for r in rows if "request" in r[1]]
    print(f"{'arrive->server':<20} {statistics.median(total) * 1000:6.2f} ms {_q(total, .9) * 1000:5.1f} ms"
          f" {statistics.median(handler) * 1000:10.2f} ms  in all (CPU: handler to request)")
    sql = [r[5] for r in rows]
    print(f"per update: SQL statements {statistics.median([r[2] for r in rows]):.0f}, trips to aiosqlite's thread "
          f"{statistics.mean([r[6] for r in rows]):.2f} "
          f"(their wall in all p50 {statistics.median(sql) * 1000:.2f} ms), event-loop iterations p50 "
          f"{statistics.median([r[3] for r in rows]):.0f}, HTTP requests "
          + ", ".join(f"{m} {c / len(rows):.2f}" for m, c in sum((r[4] for r in rows), collections.Counter()).items()))
    print("statements by wall time per update (count, p50 each, total):")
    for stmt, took in sorted(S.by_stmt.items(), key=lambda kv: -sum(kv[1]))[:8]:
        print(f"  {len(took) / len(rows):4.2f}x {statistics.median(took) * 1000:6.2f} ms {sum(took) / len(rows) * 1000:6.2f} ms  {stmt}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--kind", choices=["text", "pick", "help", "both"], default="both")
    ap.add_argument("--gap", type=float, default=60, help="ms between one reply and the next update (under the cap)")
    ap.add_argument("--cap", type=int, default=30, help="telegram.max_messages_per_s (production: 30; 0: off)")
    ap.add_argument("--profile", type=int, default=0, metavar="TOP",
                    help="cProfile the event loop's thread over the measured updates and print the TOP functions")
    ap.add_argument("--sort", default="cumulative", help="the profile's order: cumulative, tottime ...")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
