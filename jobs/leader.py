"""Which `qm run` process runs the deployment's scheduled jobs.

PostgreSQL: the one holding a session-level advisory lock, taken with
pg_try_advisory_lock on a connection of its own (autocommit, never returned to
the pool while held). When that process dies its connection closes and the
server releases the lock; the others try again every few seconds and one takes
over. SQLite: one process per database, so it always leads."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x716D5F7363686564  # "qm_sched": one key per deployment (database)


class SchedulerLease:
    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY):
        self.engine = engine
        self.key = key
        self.sqlite = engine.dialect.name == "sqlite"
        self._conn: AsyncConnection | None = None
        self.held = False

    async def check(self) -> bool:
        """Takes the lock if free, confirms it is still ours if held. True while we lead."""
        if self.sqlite:
            self.held = True
            return True
        try:
            if self._conn is None:
                self._conn = await (await self.engine.connect()).execution_options(isolation_level="AUTOCOMMIT")
            if self.held:
                await self._conn.execute(sa.text("SELECT 1"))  # the lock lives as long as this connection
            else:
                self.held = bool((await self._conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"),
                                                           {"k": self.key})).scalar())
                if self.held:
                    log.info("this process now runs the scheduled jobs (advisory lock %s)", self.key)
        except Exception:
            log.warning("scheduler lease: database connection lost", exc_info=True)
            await self._drop()
        return self.held

    async def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()  # never hand a connection that may hold the lock back to the pool
            except Exception:
                pass

    async def release(self) -> None:
        if self._conn is not None and self.held:
            try:
                await self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            except Exception:
                pass
        if self._conn is not None:
            await self._conn.close()
        self._conn, self.held = None, False
