"""Reading a year of daily sales for thousands of products quickly.

One row per product and day is hundreds of thousands of rows; turning each into
Python objects costs seconds. The database groups them per product and
warehouse instead (Database.series_per_group: group_concat on SQLite, array_agg on
PostgreSQL), and numpy parses the packed values."""
from __future__ import annotations

from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from ..database import database_of
from ..models import SalesHistory


async def imported_history(session: AsyncSession, start: date, end: date):
    """sales_history rows with start <= day < end as four arrays:
    (product ids, warehouse ids, day offsets from start, quantities)."""
    conn = await session.connection()
    database = database_of(conn)
    offset = database.days_since(SalesHistory.day, start)
    qty = sa.cast(SalesHistory.quantity, sa.Float)
    where = (SalesHistory.day >= start, SalesHistory.day < end)
    keys = (SalesHistory.product_id, SalesHistory.warehouse_id)
    pids, wids, offs, qtys = [], [], [], []
    for pid, wid, o, q in await database.series_per_group(conn, keys, offset, qty, where):
        pids.append(np.full(len(o), pid))
        wids.append(np.full(len(o), wid))
        offs.append(o)
        qtys.append(q)
    if not pids:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    return (np.concatenate(pids).astype(np.int64), np.concatenate(wids).astype(np.int64),
            np.concatenate(offs).astype(np.int64), np.concatenate(qtys).astype(np.float64))
