"""Document numbers taken from a locked counter row: no gaps, no duplicates
under concurrent transactions."""
from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import Counter


async def next_number(session: AsyncSession, name: str, *, start: int = 1) -> int:
    row = (await session.exec(select(Counter).where(Counter.name == name).with_for_update())).first()
    if row is None:
        row = Counter(name=name, value=start - 1)
        session.add(row)
    row.value += 1
    await session.flush()
    return row.value
