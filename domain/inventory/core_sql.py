"""Set-based SQL inside the ORM unit of work.

The hot warehouse paths (a pick confirmation, a ledger move) run a handful of
SQLAlchemy Core statements on the session's own connection and transaction
instead of loading, locking and flushing ORM objects row by row (each ORM round
trip costs about a millisecond of Python). Objects of the same rows that are
already loaded in the session are given the values just written, so code that
keeps using them, or a later query answered from the identity map, never sees
stale numbers.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession


async def connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection (same transaction), after pending ORM changes were flushed:
    the statements that follow must see them, and must not be overwritten by a later flush."""
    await session.flush()  # returns at once when nothing is pending
    return await session.connection()


def refresh_loaded(session: AsyncSession, model: type, id_: int, **values: Any) -> None:
    """If the row `id_` of `model` is loaded in the session, gives the object the values just written."""
    obj = session.identity_map.get(identity_key(model, id_))
    if obj is not None:
        for name, value in values.items():
            set_committed_value(obj, name, value)


def round3(expr):
    """Quantity arithmetic done in SQL, kept to three decimals: SQLite stores quantities as REAL, and a
    rounded result is the same double Python writes for that decimal, so sums and comparisons stay exact."""
    return sa.func.round(expr, 3)
