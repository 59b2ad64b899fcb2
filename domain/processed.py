"""Each inbound event handled once: a Telegram update, an SMS's MessageSid."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import database_of
from .models import ProcessedUpdate, utcnow

_RECORDS: dict[str, sa.Executable] = {}  # per database: the statement is built once, not per event


def _record(session: AsyncSession) -> sa.Executable:
    database = database_of(session)
    stmt = _RECORDS.get(database.name)
    if stmt is None:
        stmt = _RECORDS[database.name] = (
            database.insert(ProcessedUpdate)
            .values(key=sa.bindparam("key"), created_at=sa.bindparam("at", type_=ProcessedUpdate.__table__.c.created_at.type))
            .on_conflict_do_nothing().returning(ProcessedUpdate.key))
    return stmt


async def first_time(session: AsyncSession, key: str) -> bool:
    """Records the event's key in the caller's transaction; False when it was recorded before. One round
    trip, and two deliveries of one event at the same moment cannot both pass: the second insert waits
    for the first transaction and then finds the key (a rolled-back first one leaves it to the second)."""
    # Core, on the session's connection: the ORM's execution layer has nothing to do for this table
    result = await (await session.connection()).execute(_record(session), {"key": key, "at": utcnow()})
    return result.first() is not None
