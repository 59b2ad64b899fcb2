"""Each inbound event handled once: a Telegram update, an SMS's MessageSid."""
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from .database import database_of
from .models import ProcessedUpdate, utcnow


async def first_time(session: AsyncSession, key: str) -> bool:
    """Records the event's key in the caller's transaction; False when it was recorded before. One round
    trip, and two deliveries of one event at the same moment cannot both pass: the second insert waits
    for the first transaction and then finds the key (a rolled-back first one leaves it to the second)."""
    stmt = (database_of(session).insert(ProcessedUpdate).values(key=key, created_at=utcnow())
            .on_conflict_do_nothing().returning(ProcessedUpdate.key))
    return (await session.exec(stmt)).first() is not None
