"""How long one message holds SQLite's write lock (the in-process writer queue of
storage/sqlite_driver.py: every other message waits that long), per kind of the open-loop mix,
messages one at a time; photos as on Telegram (may_receive_files first, its own short transaction).

    python -m bench.e2e.lock_hold [--n 30] [--label new]

On an old commit's code: as bench/e2e/inprocess.py says.
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import random
import statistics
import tempfile
import time

KIND: contextvars.ContextVar[str] = contextvars.ContextVar("kind", default="other")


def _watch_writer_lock() -> dict[str, list[float]]:
    from storage import sqlite_driver as sd

    held: dict[str, list[float]] = {}
    starts: dict[int, tuple[float, str]] = {}
    begin, end = sd.OneTripConnection._begin_writing, sd.OneTripConnection._end_writing

    async def _begin(self):
        await begin(self)
        starts[id(self)] = (time.perf_counter(), KIND.get())

    def _end(self):
        if id(self) in starts and self._writing is not None:
            t0, kind = starts.pop(id(self))
            held.setdefault(kind, []).append(time.perf_counter() - t0)
        end(self)
    sd.OneTripConnection._begin_writing, sd.OneTripConnection._end_writing = _begin, _end
    return held


async def main(n: int, label: str) -> None:
    from bench.e2e import mix as mixes
    from bench.e2e.inprocess import Load
    from bot.app import build_dialogue, open_services
    from bot.settings import load_settings

    held = _watch_writer_lock()
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/lock.sqlite3"
    mix = await mixes.prepare(url, n_text=4, n_pick=4, n_photo=4, orders_each=1)
    services = await open_services(load_settings(database={"url": url}, rate_limits={"message": ""}), seed_if_empty=False)
    load = Load(build_dialogue(services), mix, seed=2)

    async def one(kind: str, uid: int, measure: bool = True) -> None:
        KIND.set(kind)  # in this task's context: the lock's taker is known
        await load.one(kind, uid, measure)

    for uid in mix.pick_users:
        await asyncio.create_task(one("pick", uid, False))
    held.clear()
    for i in range(n):
        for kind, users in load.users.items():
            await asyncio.create_task(one(kind, users[i % len(users)]))
    for kind in load.users:
        v = held.get(kind, [])
        print(f"{label} write lock per {kind} message: held {sum(v) / n * 1000:.1f} ms in all on average; per transaction "
              f"median {statistics.median(v) * 1000:.1f} ms, max {max(v) * 1000:.1f} ms ({len(v)} transactions for {n} messages)")
    await services.engine.dispose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    asyncio.run(main(a.n, a.label))
