"""Batched look-ups by key: referenced rows (sku -> product id) and stored rows to compare with.

Rows are resolved a chunk at a time: one query per chunk instead of one per
row. A compound key is asked, when the chunk's keys share values (a day's
sales: one day, a few warehouses, many products), as IN per column with the
surplus filtered out here; otherwise as an OR of equalities. Both statements
are built and compiled once. (SQLite answers a row-value IN list by scanning
the whole table; IN per column and each OR term are index searches on SQLite
and PostgreSQL alike.)
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

MAX_PARAMS = 900  # per OR query: well under SQLite's and asyncpg's parameter limits (32766)
MAX_IN_VALUES = 30_000  # per IN-per-column query
SURPLUS = 4  # IN per column is used while it can match at most this many times the keys asked


def chunks(seq: Sequence, size: int = MAX_PARAMS):
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


class KeyedSelect:
    """SELECT key columns + value columns WHERE the key is one of many."""

    def __init__(self, table: sa.Table, key: Sequence[str], values: Sequence[str], where=None):
        kcols = [table.c[k] for k in key]
        self.n = len(kcols)
        if self.n == 1:
            self.batch = MAX_PARAMS
            cond = kcols[0].in_(sa.bindparam("keys", expanding=True))
        else:
            self.batch = MAX_PARAMS // self.n
            cond = sa.or_(*[sa.and_(*[c == sa.bindparam(f"k{i}_{j}") for j, c in enumerate(kcols)])
                            for i in range(self.batch)])
        stmt = sa.select(*kcols, *[table.c[v] for v in values]).where(cond)
        self.stmt = stmt if where is None else stmt.where(where)
        self.per_column = None
        if self.n > 1:
            per_column = sa.select(*kcols, *[table.c[v] for v in values]).where(
                *[c.in_(sa.bindparam(f"c{j}", expanding=True)) for j, c in enumerate(kcols)])
            self.per_column = per_column if where is None else per_column.where(where)

    async def fetch(self, session: AsyncSession, keys: Sequence[tuple]) -> dict[tuple, tuple]:
        """{key tuple: value tuple} for the keys that exist."""
        n, out = self.n, {}
        conn = await session.connection()
        if n > 1 and keys:
            columns = [set() for _ in range(n)]
            for key in keys:
                for j, value in enumerate(key):
                    columns[j].add(value)
            combinations = 1
            for values in columns:
                combinations *= len(values)
            if combinations <= SURPLUS * len(keys) and sum(map(len, columns)) <= MAX_IN_VALUES:
                wanted = set(keys)
                rows = await conn.execute(self.per_column, {f"c{j}": list(c) for j, c in enumerate(columns)})
                for row in rows.all():
                    key = tuple(row[:n])
                    if key in wanted:
                        out[key] = tuple(row[n:])
                return out
        for part in chunks(keys, self.batch):
            if n == 1:
                params = {"keys": [k[0] for k in part]}
            else:
                part = list(part) + [part[-1]] * (self.batch - len(part))  # one statement shape for every call
                params = {f"k{i}_{j}": v for i, key in enumerate(part) for j, v in enumerate(key)}
            for row in (await conn.execute(self.stmt, params)).all():
                out[tuple(row[:n])] = tuple(row[n:])
        return out


class Lookup:
    """A cached KeyedSelect: code(s) -> a row of values, e.g. products.sku -> (id,)."""

    def __init__(self, table: sa.Table, key: tuple[str, ...], values: tuple[str, ...], limit: int = 200_000):
        self.single = len(key) == 1
        self.select = KeyedSelect(table, key, values)
        self.limit = limit
        self.cache: dict = {}

    async def fetch(self, session: AsyncSession, keys: Iterable) -> None:
        wanted = [k for k in set(keys) if k not in self.cache]
        if not wanted:
            return
        if len(self.cache) + len(wanted) > self.limit:  # bounded memory: forget, re-ask later
            self.cache.clear()
        found = await self.select.fetch(session, [(k,) for k in wanted] if self.single else wanted)
        for k in wanted:
            hit = found.get((k,) if self.single else k)
            self.cache[k] = hit

    def get(self, key):
        """The value row, or None when the key does not exist (fetch first)."""
        return self.cache.get(key)

    def put(self, key, value_row: tuple) -> None:
        self.cache[key] = value_row
