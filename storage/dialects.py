"""domain.database.Database once per supported database: what SQL says differently on each."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from .pg_conversation import CONVERSATION_OPENING
from .pg_pick import CONFIRMED_PICK

SQLITE_CACHE_KIB = 65_536


class SqliteDatabase:
    name = "sqlite"
    confirmed_pick = None  # no data-modifying CTEs: the booking runs as a few statements
    conversation_opening = None  # the same: three statements (statements on SQLite cost no round trip)

    def insert(self, table):
        return sqlite.insert(table)

    async def upsert_rows(self, conn, table, conflict, fields, records) -> None:
        stmt = sqlite.insert(table)
        if fields:
            stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_={f: stmt.excluded[f] for f in fields})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
        await conn.execute(stmt, records)  # executemany: sqlite3 loops in C

    @asynccontextmanager
    async def bulk_loading(self, conn):
        """SQLite's default 2 MB page cache thrashes once a big table's indexes outgrow it
        (a million sales rows: a third of the load time); 64 MB while loading, then back."""
        before = (await conn.exec_driver_sql("PRAGMA cache_size")).scalar()
        await conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        try:
            yield
        finally:
            await conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")

    def days_since(self, column, start: date):
        return sa.cast(sa.func.julianday(column) - sa.func.julianday(start.isoformat()), sa.Integer)

    async def series_per_group(self, conn, keys, offset, value, where):
        """group_concat of "offset,value" pairs per group; numpy parses the text."""
        packed = sa.func.group_concat(offset.op("||")(",").op("||")(value), ",")
        out = []
        for k1, k2, text in (await conn.execute(sa.select(*keys, packed).where(*where).group_by(*keys))).all():
            pairs = np.array(text.split(","), dtype=np.float64).reshape(-1, 2)
            out.append((k1, k2, pairs[:, 0], pairs[:, 1]))
        return out

    async def lock_for_transaction(self, session, names) -> None:
        """BEGIN IMMEDIATE (storage/engine.py) already serialises SQLite's writers."""


class PostgresDatabase:
    name = "postgresql"
    confirmed_pick = CONFIRMED_PICK
    conversation_opening = CONVERSATION_OPENING

    def insert(self, table):
        return postgresql.insert(table)

    async def upsert_rows(self, conn, table, conflict, fields, records) -> None:
        """The whole chunk as one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT.

        executemany sends one INSERT per row (about 40 us each on the server);
        one statement over column arrays is several times faster. Python-side
        column defaults (what SQLAlchemy would fill in) are added here.
        """
        pg = postgresql.dialect()
        names = list(records[0])
        extra = {}
        for col in table.columns:
            if col.name not in records[0] and col.default is not None and not col.primary_key:
                extra[col.name] = col.default.arg if col.default.is_scalar else col.default.arg(None)
        names += list(extra)
        cols = [table.c[n] for n in names]
        arrays = [[rec[n] for rec in records] for n in names[: len(names) - len(extra)]]
        arrays += [[value] * len(records) for value in extra.values()]
        action = ("DO UPDATE SET " + ", ".join(f"{f} = EXCLUDED.{f}" for f in fields)) if fields else "DO NOTHING"
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"SELECT * FROM unnest({', '.join(f'${i + 1}::{c.type.compile(dialect=pg)}[]' for i, c in enumerate(cols))}) "
               f"ON CONFLICT ({', '.join(conflict)}) {action}")
        raw = await conn.get_raw_connection()
        try:
            await raw.driver_connection.execute(sql, *arrays)
        except Exception as exc:  # the driver's own error: an integrity violation is reported like SQLAlchemy's
            if str(getattr(exc, "sqlstate", "")).startswith("23"):
                raise IntegrityError(sql, None, exc) from exc
            raise

    @asynccontextmanager
    async def bulk_loading(self, conn):
        yield  # PostgreSQL's shared buffers serve every connection: nothing to change per load

    def days_since(self, column, start: date):
        return column - sa.cast(sa.literal(start.isoformat()), sa.Date)

    async def series_per_group(self, conn, keys, offset, value, where):
        """array_agg of offsets and of values per group."""
        stmt = sa.select(*keys, sa.func.array_agg(offset), sa.func.array_agg(value)).where(*where).group_by(*keys)
        return [(k1, k2, np.asarray(o, dtype=np.float64), np.asarray(q, dtype=np.float64))
                for k1, k2, o, q in (await conn.execute(stmt)).all()]

    async def lock_for_transaction(self, session, names) -> None:
        """Transaction-scoped advisory locks, sorted, so two transactions never wait on each other crosswise."""
        for name in sorted(set(names)):
            await session.exec(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))


DATABASES = {db.name: db for db in (SqliteDatabase(), PostgresDatabase())}
