"""Reading a year of daily sales for thousands of products quickly.

One row per product and day is hundreds of thousands of rows; turning each into
Python objects costs seconds. The database groups them per product and
warehouse instead (group_concat on SQLite, array_agg on PostgreSQL), and numpy
parses the packed values."""
from __future__ import annotations

from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import SalesHistory


def days_since(dialect: str, column, start: date):
    """SQL for whole days from `start` to a DATE column."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(column) - sa.func.julianday(start.isoformat()), sa.Integer)
    return column - sa.cast(sa.literal(start.isoformat()), sa.Date)


async def imported_history(session: AsyncSession, start: date, end: date):
    """sales_history rows with start <= day < end as four arrays:
    (product ids, warehouse ids, day offsets from start, quantities)."""
    conn = await session.connection()
    dialect = conn.dialect.name
    offset = days_since(dialect, SalesHistory.day, start)
    qty = sa.cast(SalesHistory.quantity, sa.Float)
    where = (SalesHistory.day >= start, SalesHistory.day < end)
    keys = (SalesHistory.product_id, SalesHistory.warehouse_id)
    pids, wids, offs, qtys = [], [], [], []
    if dialect == "sqlite":
        packed = sa.func.group_concat(offset.op("||")(",").op("||")(qty), ",")
        for pid, wid, text in (await conn.execute(sa.select(*keys, packed).where(*where).group_by(*keys))).all():
            pairs = np.array(text.split(","), dtype=np.float64).reshape(-1, 2)
            pids.append(np.full(len(pairs), pid))
            wids.append(np.full(len(pairs), wid))
            offs.append(pairs[:, 0])
            qtys.append(pairs[:, 1])
    else:  # PostgreSQL (the only other database the settings accept)
        stmt = sa.select(*keys, sa.func.array_agg(offset), sa.func.array_agg(qty)).where(*where).group_by(*keys)
        for pid, wid, o, q in (await conn.execute(stmt)).all():
            pids.append(np.full(len(o), pid))
            wids.append(np.full(len(o), wid))
            offs.append(np.asarray(o, dtype=np.float64))
            qtys.append(np.asarray(q, dtype=np.float64))
    if not pids:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    return (np.concatenate(pids).astype(np.int64), np.concatenate(wids).astype(np.int64),
            np.concatenate(offs).astype(np.int64), np.concatenate(qtys).astype(np.float64))
