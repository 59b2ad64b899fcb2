"""The open loop without HTTP: the dialogue of `qm run` (the same services: language model, decoder)
fed the open-loop mix (bench/e2e/mix.py) at --rate messages per second (Poisson), each message handled
concurrently as python-telegram-bot would, photos as on Telegram (may_receive_files before the bytes).
Latency per kind from the message's arrival to its replies, CPU per message, full collections.

    python -m bench.e2e.inprocess [--db sqlite|postgres] [--rate 5] [--seconds 40] [--label new]

An old commit against the new code in the same window: its tree with these tools copied in,
    git archive OLD | tar -x -C /tmp/old && cp bench/e2e/inprocess.py bench/e2e/lock_hold.py /tmp/old/bench/e2e/
    cd /tmp/old && python -m bench.e2e.inprocess --label old
(the heap is frozen as `qm run` does only where bot/heap.py exists).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import importlib.util
import os
import random
import statistics
import time

SHARES = [("text", 0.5), ("pick", 0.4), ("photo", 0.1)]


class Load:
    def __init__(self, dialogue, mix, seed: int = 11):
        from bench.e2e import mix as mixes

        self.dialogue, self.mix, self.mixes = dialogue, mix, mixes
        self.rnd = random.Random(seed)
        self.pickers = {u: mixes.Picker(mix.pick_orders[u]) for u in mix.pick_users}
        self.users = {"text": mix.text_users, "pick": mix.pick_users, "photo": mix.photo_users}
        self.busy: set[int] = set()
        self.seq = iter(range(10**9))
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()

    async def one(self, kind: str, uid: int, measure: bool = True) -> None:
        from bot.dialogue.messages import Inbound

        t0 = time.perf_counter()
        base = dict(channel="telegram", external_id=str(uid), sender_name="U", language_code="en", event_id=f"tg:{next(self.seq)}")
        if kind == "photo":
            inbound = Inbound(kind="photo", **base)
            if await self.dialogue.may_receive_files(inbound):  # as bot/telegram/inbound.py, before a download
                inbound.data = self.rnd.choice(self.mix.photos)
        else:
            text = self.mixes.text_message(self.rnd, self.mix) if kind == "text" else self.pickers[uid].next
            inbound = Inbound(kind="text", text=text, **base)
        replies = await self.dialogue.handle(inbound)
        if measure:
            self.latency[kind].append(time.perf_counter() - t0)
        said = "\n".join(r.text for r in replies)
        if "went wrong" in said or "not answering" in said:
            self.errors[kind] += 1
        if kind == "pick":
            self.pickers[uid].heard(said)
        self.busy.discard(uid)

    async def run(self, rate: float, seconds: float) -> int:
        tasks, n = [], 0
        nxt = time.perf_counter()
        end = nxt + seconds
        while nxt < end:
            await asyncio.sleep(max(0.0, nxt - time.perf_counter()))
            r, acc = self.rnd.random(), 0.0
            for kind, share in SHARES:
                acc += share
                if r < acc:
                    break
            free = [u for u in self.users[kind] if u not in self.busy]  # a person waits for the answer first
            if free:
                uid = self.rnd.choice(free)
                self.busy.add(uid)
                tasks.append(asyncio.create_task(self.one(kind, uid)))
                n += 1
            nxt += self.rnd.expovariate(rate)
        await asyncio.gather(*tasks)
        return n


def _full_collections() -> list[tuple[float, float]]:
    pauses: list[tuple[float, float]] = []
    start = [0.0, 0.0]

    def cb(phase, info):
        if phase == "start":
            start[:] = time.perf_counter(), time.thread_time()
        elif info["generation"] == 2:
            pauses.append((time.perf_counter() - start[0], time.thread_time() - start[1]))
    gc.callbacks.append(cb)
    return pauses


async def main(a) -> None:
    from bench.e2e import mix as mixes
    from bench.e2e.__main__ import _pg_database, fresh_database
    from bot.app import build_dialogue, open_services
    from bot.settings import load_settings

    url, name = await fresh_database(a.db, "qm_ip")
    try:
        mix = await mixes.prepare(url)
        services = await open_services(load_settings(database={"url": url}, rate_limits={"message": ""}), seed_if_empty=False)
        load = Load(build_dialogue(services), mix)
        if importlib.util.find_spec("bot.heap") is not None:  # what `qm run` does once loaded, where it does
            from bot.heap import freeze_startup_heap

            freeze_startup_heap()
        for uid in mix.pick_users:  # each picker's order opened, not measured
            await load.one("pick", uid, measure=False)
        pauses = _full_collections()
        cpu0 = time.process_time()
        n = await load.run(a.rate, a.seconds)
        cpu = time.process_time() - cpu0
        print(f"{a.label} {a.db}: {n} messages at {a.rate:g}/s for {a.seconds:.0f} s, CPU {cpu / n * 1000:.1f} ms per message, "
              f"full collections {len(pauses)} (max {max((w for w, _ in pauses), default=0) * 1000:.0f} ms wall, "
              f"{max((c for _, c in pauses), default=0) * 1000:.0f} ms CPU), load average {os.getloadavg()[0]:.1f}")
        for kind, _ in SHARES:
            v = sorted(load.latency[kind])
            q = statistics.quantiles(v, n=100)
            print(f"  {kind:<5} n={len(v):4d} p50 {q[49] * 1000:7.1f}  p95 {q[94] * 1000:7.1f}  p99 {q[98] * 1000:7.1f}  "
                  f"max {v[-1] * 1000:7.1f} ms  errors {load.errors[kind]}")
        await services.engine.dispose()
    finally:
        if a.db == "postgres":
            await _pg_database(False, name)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rate", type=float, default=5)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--label", default="")
    asyncio.run(main(ap.parse_args()))
