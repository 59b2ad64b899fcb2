"""The database engine: aiosqlite by default, asyncpg when the URL says PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.database import install

from . import sqlite_driver, text_guard  # noqa: F401  (text_guard: its flush listener)
from .dialects import DATABASES


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """The engine for `url`, with the domain's Database port for its database installed (domain/database.py)."""
    install(DATABASES[make_url(url).get_backend_name()])
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # module=: aiosqlite with one thread hand-off per statement (storage/sqlite_driver.py).
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000},
                                     module=sqlite_driver.dbapi())

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # every new connection: WAL, FKs, busy timeout
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            # No checkpoint inside COMMIT: small transactions commit on the event loop's thread, and the
            # checkpoint (which fsyncs) runs every CHECKPOINT_EVERY commits on aiosqlite's (sqlite_driver).
            cur.execute("PRAGMA wal_autocheckpoint=0")
            # A ledger of a million moves has ~100 MB of indexes: read them through a memory map (shared
            # with the OS page cache) and a 16 MB page cache per connection, not a read() per page that
            # fell out of the default 2 MB cache (bulk load of 1M moves: ~40 s -> ~21 s).
            cur.execute("PRAGMA mmap_size=268435456")
            cur.execute("PRAGMA cache_size=-16384")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn):
            # Take the write lock at BEGIN: a read-then-write transaction can't
            # fail half-way with "database is locked" when another writer wins.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # pysqlite's own transaction handling must be off for the BEGIN above to be ours.
        @event.listens_for(engine.sync_engine, "connect")
        def _autocommit_off(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(_dbapi_conn, record, _proxy):
        # A connection the server closed (a PostgreSQL restart) is discarded and replaced before use. This
        # replaces pool_pre_ping, whose asyncpg ping is three round trips (BEGIN; ";"; ROLLBACK) on every
        # checkout, i.e. every message: asyncpg reads the socket while the connection sits in the pool, so
        # a closed one already says so. A connection that dies after checkout fails that one transaction,
        # and SQLAlchemy then invalidates the rest of the pool.
        if record.driver_connection.is_closed():
            raise DisconnectionError()

    return engine


def session_factory(engine: AsyncEngine, *, audited: bool = True) -> async_sessionmaker[AsyncSession]:
    """Sessions whose flushes write the audit log (storage/audit_hook.py); audited=False
    only for a benchmark's baseline."""
    from .audit_hook import AuditedSession

    kw = {"sync_session_class": AuditedSession} if audited else {"info": {"audit_off": True}}
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, **kw)
