"""Making the test's database unavailable for a while, the way each engine fails in production.

PostgreSQL: the database stops taking connections (ALLOW_CONNECTIONS false) and every open
connection to it is terminated (pg_terminate_backend), so in-flight transactions die and new
ones are refused with "database ... is not currently accepting connections" until stop().
SQLite: another process-like connection holds the write lock (BEGIN EXCLUSIVE); every
transaction of ours begins with BEGIN IMMEDIATE and gives up with "database is locked" after
busy_timeout. Only the test's own database is touched."""
from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy.engine import make_url


class Outage:
    def __init__(self, url: str):
        self.url = make_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self._lock: sqlite3.Connection | None = None
        self.active = False

    def _admin_dsn(self) -> str:
        u = self.url.set(drivername="postgresql", database="postgres")
        return u.render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        conn = await asyncpg.connect(self._admin_dsn())
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    async def terminate_connections(self) -> None:
        """PostgreSQL: kills every connection to the database now (they may reconnect at once)."""
        await self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          f"WHERE datname = '{self.url.database}' AND pid <> pg_backend_pid()")

    async def start(self) -> None:
        if self.sqlite:
            self._lock = sqlite3.connect(self.url.database, isolation_level=None, timeout=10)
            self._lock.execute("BEGIN EXCLUSIVE")
        else:
            await self._admin(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS false')
            await self.terminate_connections()
        self.active = True

    async def stop(self) -> None:
        if not self.active:
            return
        if self.sqlite:
            self._lock.execute("ROLLBACK")
            self._lock.close()
            self._lock = None
        else:
            await self._admin(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')
        self.active = False

    async def __aenter__(self) -> "Outage":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()
