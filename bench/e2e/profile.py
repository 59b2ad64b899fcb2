"""Where one update's time goes: the dialogue of `qm run` (the same services: language model,
decoder, rate limits) driven in-process on the open-loop mix's database, without Telegram's HTTP.

    python -m bench.e2e.profile [--db sqlite|postgres] [--n 200] [--kind text|pick|help|both] [--top 25] [--no-freeze]

Per kind: wall and CPU per update; SQL statements per update by kind of statement (those run through
SQLAlchemy), transactions (BEGIN/COMMIT) per update, PostgreSQL round trips (all of them), the garbage collector's pauses, and each statement's text with its count; then the functions that
take the most time (cProfile, cumulative), so repeated queries and per-update set-up show.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import collections
import gc
import io
import os
import pstats
import random
import time

import sqlalchemy as sa

from . import mix as mixes
from .__main__ import _pg_database, fresh_database


class GcPauses:
    """The garbage collector's pauses by generation (a full collection walks every object the
    process holds: the language model's too)."""

    def __init__(self):
        self.pauses: dict[int, list[tuple[float, float]]] = collections.defaultdict(list)  # (wall, CPU)
        self._t0 = self._c0 = 0.0
        gc.callbacks.append(self._cb)

    def _cb(self, phase, info):
        if phase == "start":
            self._t0, self._c0 = time.perf_counter(), time.thread_time()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._t0, time.thread_time() - self._c0))

    def reset(self):
        self.pauses.clear()

    def line(self) -> str:
        # CPU time too: on a shared machine the wall time of a pause includes waiting for a core
        return "; ".join(f"gen {g}: {len(p)} pauses, max {max(w for w, _ in p) * 1000:.1f} ms wall / "
                         f"{max(c for _, c in p) * 1000:.1f} ms CPU, total {sum(w for w, _ in p) * 1000:.0f} ms wall"
                         for g, p in sorted(self.pauses.items())) or "no collections"


class SqlCounter:
    def __init__(self, engine):
        self.engine = engine.sync_engine
        self.statements: collections.Counter = collections.Counter()
        self.commits = self.begins = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._stmt)
        sa.event.listen(self.engine, "commit", self._commit)
        sa.event.listen(self.engine, "begin", self._begin)
        self.pg_writes = 0  # PostgreSQL round trips: asyncpg writes once per operation, statements
        # SQLAlchemy never sees included (the message's opening runs on asyncpg itself)
        import asyncio.selector_events as se

        write = se._SelectorSocketTransport.write

        def counted(transport, data):
            if "asyncpg" in type(transport._protocol).__module__:
                self.pg_writes += 1
            return write(transport, data)
        se._SelectorSocketTransport.write = counted

    def _stmt(self, conn, cursor, statement, *_):
        self.statements[" ".join(statement.split())[:140]] += 1

    def _commit(self, *_):
        self.commits += 1

    def _begin(self, *_):
        self.begins += 1

    def reset(self):
        self.statements.clear()
        self.commits = self.begins = self.pg_writes = 0


async def run(db: str, n: int, kinds: list[str], top: int, freeze: bool = True, sort: str = "cumulative") -> None:
    from bot.app import build_dialogue, open_services
    from bot.dialogue.messages import Inbound
    from bot.settings import load_settings

    url, name = await fresh_database(db, "qm_prof")
    try:
        mix = await mixes.prepare(url, n_text=4, n_pick=4, n_photo=1)
        settings = load_settings(database={"url": url}, rate_limits={"message": ""})
        services = await open_services(settings, seed_if_empty=False)
        dialogue = build_dialogue(services)
        if freeze:  # as `qm run` does once it is loaded (bot/heap.py)
            from bot.heap import freeze_startup_heap

            freeze_startup_heap()
        counter = SqlCounter(services.engine)
        gcp = GcPauses()
        rnd = random.Random(3)
        pickers = {u: mixes.Picker(mix.pick_orders[u]) for u in mix.pick_users}
        seq = iter(range(10**9))

        async def one(kind: str, uid: int) -> None:
            text = {"text": lambda: mixes.text_message(rnd, mix), "help": lambda: "/help"}.get(kind, lambda: pickers[uid].next)()
            replies = await dialogue.handle(Inbound(channel="telegram", external_id=str(uid), kind="text", text=text,
                                                    sender_name=f"U{uid}", language_code="en", chat_type="private",
                                                    event_id=f"tg:{next(seq)}"))
            if kind == "pick":
                pickers[uid].heard("\n".join(r.text for r in replies))

        for uid in mix.pick_users:  # open each picker's order, not measured
            await one("pick", uid)
        for kind in kinds:
            users = mix.pick_users if kind == "pick" else mix.text_users
            for i in range(10):  # warm caches
                await one(kind, users[i % len(users)])
            counter.reset()
            gcp.reset()
            prof = cProfile.Profile()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            prof.enable()
            for i in range(n):
                await one(kind, users[i % len(users)])
            prof.disable()
            wall, cpu = (time.perf_counter() - wall0) / n, (time.process_time() - cpu0) / n
            total = sum(counter.statements.values())
            by_verb = collections.Counter()
            for stmt, c in counter.statements.items():
                by_verb[stmt.split(" ", 1)[0].upper()] += c
            print(f"\n== {kind} on {db}: {n} updates, wall {wall * 1000:.1f} ms, CPU {cpu * 1000:.1f} ms per update "
                  f"(profiler on), load average {os.getloadavg()[0]:.1f}")
            print(f"SQL statements per update {total / n:.2f} ("
                  + ", ".join(f"{v} {c / n:.2f}" for v, c in by_verb.most_common()) + f"); BEGIN {counter.begins / n:.2f}, "
                  f"COMMIT {counter.commits / n:.2f} per update" + (f"; PostgreSQL round trips {counter.pg_writes / n:.2f}" if db == "postgres" else ""))
            print(f"garbage collector: {gcp.line()} (objects tracked {len(gc.get_objects())}, frozen {gc.get_freeze_count()})")
            for stmt, c in counter.statements.most_common(12):
                print(f"  {c / n:5.2f}x  {stmt}")
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(top)
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        await services.engine.dispose()
    finally:
        if db == "postgres":
            await _pg_database(False, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--kind", choices=["text", "pick", "help", "both"], default="both",
                    help="help: /help, the closed loop's message")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sort", default="cumulative", help="the profile's order: cumulative, tottime ...")
    ap.add_argument("--no-freeze", action="store_true", help="leave the start-up heap to the garbage collector (before #24)")
    args = ap.parse_args()
    asyncio.run(run(args.db, args.n, ["text", "pick"] if args.kind == "both" else [args.kind], args.top, not args.no_freeze, args.sort))


if __name__ == "__main__":
    main()
