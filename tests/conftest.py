"""Shared fixtures. The whole suite runs once per database:

    QM_TEST_DB=sqlite   (default) a fresh SQLite file per test
    QM_TEST_DB=postgres a fresh PostgreSQL database per test session on
                        QM_TEST_PG (default postgresql+asyncpg://postgres@127.0.0.1:5432),
                        tables emptied between tests

Schema always comes from the Alembic migrations, as in production.
"""
from __future__ import annotations

import asyncio
import os
import uuid

import hypothesis  # noqa: F401  imported (and assertion-rewritten) now, not by its plugin's end-of-run hook
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from storage.engine import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

# CPython 3.11.7's ast.parse can fail with "SystemError: AST constructor recursion depth mismatch" after
# greenlet-driven (SQLAlchemy async) code ran in the process (gh-106905, fixed in 3.11.8): so nothing
# should need parsing late in the run: tests/test_boundaries.py reads imports in a child interpreter.

pytest_plugins = ["tests.fakes.fixtures"]

TEST_DB = os.environ.get("QM_TEST_DB", "sqlite")
PG_BASE = os.environ.get("QM_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def pytest_report_header(config):
    return f"database: {TEST_DB}"


@pytest.fixture(scope="session")
def pg_database_url():
    """Creates one PostgreSQL database for this test session, migrated to head."""
    if TEST_DB != "postgres":
        yield None
        return
    import asyncpg

    name = f"qm_test_{uuid.uuid4().hex[:10]}"
    dsn = PG_BASE.replace("+asyncpg", "")

    async def _create():
        conn = await asyncpg.connect(dsn + "/postgres")
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        engine = create_engine(f"{PG_BASE}/{name}")
        await upgrade(engine)
        await engine.dispose()

    async def _drop():
        conn = await asyncpg.connect(dsn + "/postgres")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(_create())
    yield f"{PG_BASE}/{name}"
    asyncio.run(_drop())


@pytest.fixture
async def database_url(tmp_path, pg_database_url):
    """A migrated, empty database for one test; its URL."""
    if pg_database_url is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        yield url
        return
    yield pg_database_url
    engine = create_engine(pg_database_url)
    async with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow_factory(engine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(session_factory(engine))


@pytest.fixture
async def session(engine):
    """A plain session for arrange/assert steps (commit yourself)."""
    async with session_factory(engine)() as s:
        yield s


# --- the demo company, seeded once per test session and copied for each test -------------------
@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pg_database_url):
    """A migrated database holding the demo company: a SQLite file, or a PostgreSQL template database."""
    from bot.settings import load_settings
    from domain.demo import seed_demo

    async def _seed(url):
        engine = create_engine(url)
        await upgrade(engine)
        async with session_factory(engine)() as s:
            await seed_demo(s, company=load_settings().company)
            await s.commit()
        await engine.dispose()

    if TEST_DB != "postgres":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
        yield ("sqlite", path)
        return
    import asyncpg

    name = f"qm_demo_{uuid.uuid4().hex[:10]}"
    dsn = PG_BASE.replace("+asyncpg", "")

    async def _admin(sql):
        conn = await asyncpg.connect(dsn + "/postgres")
        await conn.execute(sql)
        await conn.close()

    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    asyncio.run(_seed(f"{PG_BASE}/{name}"))
    yield ("postgres", name)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def demo_database_url(demo_template, tmp_path):
    """A fresh copy of the demo company for one test."""
    kind, source = demo_template
    if kind == "sqlite":
        import shutil

        target = tmp_path / "demo.sqlite3"
        shutil.copyfile(source, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    import asyncpg

    name = f"qm_t_{uuid.uuid4().hex[:10]}"
    dsn = PG_BASE.replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn + "/postgres")
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    await conn.close()
    yield f"{PG_BASE}/{name}"
    conn = await asyncpg.connect(dsn + "/postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
async def demo_engine(demo_database_url):
    engine = create_engine(demo_database_url)
    yield engine
    await engine.dispose()
