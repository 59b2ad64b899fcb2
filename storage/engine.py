"""The database engine: aiosqlite by default, asyncpg when the URL says PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # every new connection: WAL, FKs, busy timeout
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
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
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def session_factory(engine: AsyncEngine, *, audited: bool = True) -> async_sessionmaker[AsyncSession]:
    """Sessions whose flushes write the audit log (storage/audit_hook.py); audited=False
    only for a benchmark's baseline."""
    from .audit_hook import AuditedSession

    kw = {"sync_session_class": AuditedSession} if audited else {"info": {"audit_off": True}}
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, **kw)
