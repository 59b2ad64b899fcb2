"""Picker processes of the concurrency benchmark (a module of its own so spawned processes can import it)."""
from __future__ import annotations

import asyncio
import time

from sqlmodel import select

from domain.inventory.picking import confirm_pick_quantity
from domain.models import User
from storage.engine import create_engine, session_factory


async def confirm_one(sessions, pick_list_id: int, user_id: int, qty: str) -> float:
    t0 = time.perf_counter()
    async with sessions() as s:
        picker = await s.get(User, user_id)
        await confirm_pick_quantity(s, pick_list_id, picker, qty)
        await s.commit()
    return time.perf_counter() - t0


async def _pickers_in_process(url: str, work: dict[int, list[tuple[int, str]]]) -> tuple[float, float]:
    engine = create_engine(url, pool_size=len(work) + 1)
    sessions = session_factory(engine)
    async with sessions() as s:  # warm the pool and the statement caches outside the timing
        await s.exec(select(User.id).limit(1))

    async def picker(user_id):
        for pl, q in work[user_id]:
            await confirm_one(sessions, pl, user_id, q)

    start = time.time()
    await asyncio.gather(*[picker(u) for u in work])
    end = time.time()
    await engine.dispose()
    return start, end


def process_main(url: str, work: dict, start_at: float) -> tuple[float, float]:
    time.sleep(max(0.0, start_at - time.time()))  # all processes start together
    return asyncio.run(_pickers_in_process(url, work))


