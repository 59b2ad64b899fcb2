"""Batched, cached look-ups of referenced rows (sku -> product id, ...).

Rows are resolved a chunk at a time: one query per chunk for the codes not
seen yet, instead of one per row. The cache is bounded, so a file that names
millions of distinct codes still runs in constant memory.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

_MISSING = object()
IN_BATCH = 900  # keeps every IN list under SQLite's and asyncpg's parameter limits


def chunks(seq: list, size: int = IN_BATCH):
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


class Lookup:
    """key columns -> a row of value columns, e.g. products.sku -> (id,)."""

    def __init__(self, table: sa.Table, key: tuple[str, ...], values: tuple[str, ...], where=None, limit: int = 200_000):
        self.table = table
        self.key = key
        self.values = values
        self.where = where
        self.limit = limit
        self.cache: dict = {}

    def _key_expr(self):
        cols = [self.table.c[k] for k in self.key]
        return cols[0] if len(cols) == 1 else sa.tuple_(*cols)

    async def fetch(self, session: AsyncSession, keys: Iterable) -> None:
        wanted = [k for k in set(keys) if k not in self.cache]
        if not wanted:
            return
        if len(self.cache) + len(wanted) > self.limit:
            self.cache.clear()
        cols = [self.table.c[k] for k in self.key] + [self.table.c[v] for v in self.values]
        n = len(self.key)
        for part in chunks(wanted):
            stmt = sa.select(*cols).where(self._key_expr().in_(part))
            if self.where is not None:
                stmt = stmt.where(self.where)
            for row in (await session.exec(stmt)).all():
                k = row[0] if n == 1 else tuple(row[:n])
                self.cache[k] = tuple(row[n:])
            for k in part:
                self.cache.setdefault(k, None)

    def get(self, key):
        """The value row, or None when the key does not exist (fetch first)."""
        return self.cache.get(key)

    def put(self, key, value_row: tuple) -> None:
        self.cache[key] = value_row
