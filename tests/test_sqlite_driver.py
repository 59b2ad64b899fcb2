"""The SQLite adapter (storage/sqlite_driver.py) behaves as SQLAlchemy's aiosqlite one does, with one
trip to aiosqlite's thread per write, none for a short SELECT (run on the event loop's thread), the
BEGIN sent with the first statement, and no trip for the pool's reset after a commit."""
import asyncio
from collections import Counter

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_driver
from storage.engine import create_engine


@pytest.fixture
async def lite(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3")
    async with engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch) -> Counter:
    """What is sent to aiosqlite's thread, by function name."""
    counts: Counter = Counter()
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        counts[getattr(fn, "__name__", "?")] += 1
        if fn is sqlite_driver._run and (args[2].startswith("BEGIN") or (len(args) > 4 and args[4])):
            counts["BEGIN"] += 1  # (also counted as a _run: it travels with the first statement)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return counts


async def test_rows_rowcount_lastrowid_and_returning(lite: AsyncEngine):
    async with lite.begin() as conn:
        r = await conn.execute(sa.text("INSERT INTO t (name, n) VALUES ('a', 1)"))
        assert r.rowcount == 1 and r.lastrowid == 1
        await conn.execute(sa.text("INSERT INTO t (name, n) VALUES (:name, :n)"), [{"name": "b", "n": 2},
                                                                                  {"name": "c", "n": 3}])
        r = await conn.execute(sa.text("UPDATE t SET n = n * 10 WHERE n > 1"))
        assert r.rowcount == 2
        r = await conn.execute(sa.text("UPDATE t SET n = n + 1 WHERE name = 'b' RETURNING id, n"))
        assert r.one() == (2, 21)
        rows = (await conn.execute(sa.text("SELECT name, n FROM t ORDER BY id"))).all()
        assert rows == [("a", 1), ("b", 21), ("c", 30)]
        result = await conn.execute(sa.text("SELECT name FROM t ORDER BY id"))
        assert list(result.keys()) == ["name"] and result.fetchmany(2) == [("a",), ("b",)]
        assert result.fetchall() == [("c",)]


async def test_an_error_is_sqlalchemys_and_leaves_the_connection_usable(lite: AsyncEngine):
    async with lite.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('a')"))
    async with lite.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):
            await conn.execute(sa.text("INSERT INTO t (name) VALUES ('a')"))
        await conn.rollback()
        with pytest.raises(sa.exc.OperationalError):
            await conn.execute(sa.text("SELECT nope FROM t"))
        await conn.rollback()
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 1


async def test_one_trip_per_statement_and_none_for_the_reset_after_commit(lite: AsyncEngine, trips: Counter):
    async with lite.connect() as conn:  # a connection in the pool already: no connect trips below
        await conn.execute(sa.text("SELECT 1"))
    trips.clear()
    async with lite.begin() as conn:  # BEGIN IMMEDIATE and a one-row INSERT inline, the UPDATE of every row
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('a')"))  # on the thread, the SELECT inline, COMMIT
        await conn.execute(sa.text("UPDATE t SET n = 1"))
        assert (await conn.execute(sa.text("SELECT n FROM t"))).scalar_one() == 1
    assert trips == Counter({"_run": 1})  # the COMMIT inline too (a small transaction, no checkpoint due)
    trips.clear()
    async with lite.begin() as conn:  # a several-row INSERT takes the BEGIN along; an UPDATE by id inline
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('b'), ('c')"))
        r = await conn.execute(sa.text("UPDATE t SET n = 2 WHERE t.id = :id RETURNING n"), {"id": 2})
        assert r.one() == (2,)
    assert trips == Counter({"_run": 1, "BEGIN": 1})


async def test_a_big_transaction_and_every_hundredth_commit_go_to_the_thread_the_latter_with_a_checkpoint(
        lite: AsyncEngine, trips: Counter, monkeypatch, tmp_path):
    import sqlite3

    async with lite.connect() as conn:
        assert (await conn.execute(sa.text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0  # none inside COMMIT
    monkeypatch.setattr(sqlite_driver, "INLINE_COMMIT_ROWS", 2)
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 3)
    monkeypatch.setattr(sqlite_driver, "CHECKPOINTS", sqlite_driver.Checkpoints())
    trips.clear()
    async with lite.begin() as conn:  # 3 rows > 2: committed on the thread, no checkpoint yet (1st commit)
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"))
    assert trips["_commit_and_checkpoint"] == 1
    for name in ("d", "e"):  # the 2nd inline; the 3rd commit checkpoints
        async with lite.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (name) VALUES (:n)"), {"n": name})
    assert trips["_commit_and_checkpoint"] == 2
    async with lite.begin() as conn:  # a read-only transaction is not counted
        await conn.execute(sa.text("SELECT count(*) FROM t"))
    assert trips["_commit_and_checkpoint"] == 2
    await lite.dispose()  # (no reader left that a checkpoint would wait for)
    other = sqlite3.connect(tmp_path / "t.sqlite3")
    try:
        assert other.execute("SELECT count(*) FROM t").fetchone() == (5,)  # every commit is there
    finally:
        other.close()


@pytest.mark.parametrize("statement, kind", [
    ('INSERT INTO processed_updates ("key", created_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING "key"', "write"),
    ("UPDATE pick_tasks SET step=? WHERE pick_tasks.id = ? AND pick_tasks.step = ? RETURNING id", "write"),
    ("SELECT a FROM t WHERE b = ?", "read"),
    ("WITH x AS (SELECT 1) SELECT * FROM x", None),
    ("INSERT INTO t (a) VALUES (?), (?)", None),
    ("INSERT INTO t (a) SELECT a FROM u", None),
    ("INSERT INTO t (a) VALUES ((SELECT max(a) FROM u))", None),
    ("UPDATE t SET n=? WHERE t.n > ?", None),
    ("UPDATE t SET n=? WHERE t.id = ? AND t.n = ? OR t.n = ?", None),
    ("UPDATE t SET n=(SELECT count(*) FROM u) WHERE t.id = ?", None),
    ("UPDATE t SET n=? WHERE t.id IN (?, ?)", None),
    ("DELETE FROM t WHERE t.id = ?", None),
])
def test_what_runs_on_the_event_loops_thread(statement, kind):
    assert sqlite_driver._inline_kind(statement) == kind


async def test_a_select_first_begins_inline_and_an_empty_transaction_costs_no_trip(lite: AsyncEngine, trips: Counter):
    async with lite.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    trips.clear()
    async with lite.begin() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 0
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw.in_transaction  # BEGIN IMMEDIATE ran, before the SELECT, both inline (the lock was free)
    assert sum(trips.values()) == 0
    trips.clear()
    async with lite.begin():
        pass  # BEGIN never sent, nothing to commit
    assert sum(trips.values()) == 0
    async with asyncio.timeout(2), lite.begin() as conn:  # and the writer's turn was given back
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('z')"))


async def test_a_long_select_is_interrupted_and_run_on_the_thread_in_the_same_transaction(lite: AsyncEngine, trips: Counter,
                                                                                          monkeypatch):
    async with lite.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (name, n) VALUES (:name, :n)"), [{"name": f"r{i}", "n": i} for i in range(100)])
    monkeypatch.setattr(sqlite_driver, "INLINE_BUDGET_S", 0.0)  # every SELECT past 1,000 instructions is "long"
    trips.clear()
    async with lite.begin() as conn:
        await conn.execute(sa.text("UPDATE t SET n = n + 1 WHERE name = 'r0'"))
        total = (await conn.execute(sa.text("SELECT count(*), sum(a.n) FROM t a, t b"))).one()
        assert total == (10_000, 100 * (sum(range(100)) + 1))  # sees the transaction's own write
        assert (await conn.execute(sa.text("SELECT 1"))).scalar_one() == 1  # short: inline, no handler left behind
    assert trips == Counter({"_run": 2, "BEGIN": 1})  # the UPDATE (with BEGIN), the long SELECT
    async with lite.connect() as conn:
        assert (await conn.execute(sa.text("SELECT n FROM t WHERE name = 'r0'"))).scalar_one() == 1


async def test_a_failing_inline_select_is_sqlalchemys_error_and_the_transaction_goes_on(lite: AsyncEngine):
    async with lite.connect() as conn:
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('kept')"))
        with pytest.raises(sa.exc.OperationalError, match="no such column"):
            await conn.execute(sa.text("SELECT nope FROM t"))
        await conn.commit()
    async with lite.connect() as conn:
        assert (await conn.execute(sa.text("SELECT name FROM t"))).scalars().all() == ["kept"]


async def test_a_streamed_result_after_begin(lite: AsyncEngine):
    async with lite.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('a'), ('b')"))
    async with lite.begin() as conn:
        result = await conn.stream(sa.text("SELECT name FROM t ORDER BY id"))  # a server-side cursor, first in its transaction
        assert [row[0] async for row in result] == ["a", "b"]
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw.in_transaction
        await conn.execute(sa.text("INSERT INTO t (name) VALUES ('c')"))
    async with lite.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 3


async def test_begin_refused_by_another_process_fails_the_first_statement_and_frees_the_turn(tmp_path):
    import sqlite3

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3", busy_timeout_ms=100)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        other = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)  # another process's writer
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            async with engine.begin() as conn:
                await conn.execute(sa.text("SELECT count(*) FROM t"))
        other.execute("ROLLBACK")
        other.close()
        async with asyncio.timeout(2), engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t DEFAULT VALUES"))
    finally:
        await engine.dispose()


async def test_a_transaction_left_open_is_still_rolled_back_by_the_pool(lite: AsyncEngine, trips: Counter):
    conn = await lite.connect()
    await conn.execute(sa.text("INSERT INTO t (name) VALUES ('lost')"))
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw.in_transaction
    trips.clear()
    await conn.close()  # no commit: the pool's reset must undo the insert (and free the write lock)
    assert trips["rollback"] == 1 and not raw.in_transaction
    async with lite.connect() as again:
        assert (await again.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_writers_queue_and_go_on_when_the_last_one_commits(lite: AsyncEngine, trips: Counter):
    order: list[str] = []
    first = await lite.connect()
    await first.execute(sa.text("INSERT INTO t (name) VALUES ('first')"))  # holds the write lock
    trips.clear()

    async def writer(name: str):
        async with lite.begin() as conn:
            order.append(name)
            await conn.execute(sa.text("INSERT INTO t (name) VALUES (:n)"), {"n": name})

    waiting = [asyncio.create_task(writer(f"w{i}")) for i in range(3)]
    await asyncio.sleep(0.3)
    assert order == []  # queued behind the open transaction, not failed,
    assert trips["BEGIN"] == 0  # and in our queue, not polling SQLite's lock from its busy handler
    await first.commit()
    await first.close()
    await asyncio.gather(*waiting)
    assert sorted(order) == ["w0", "w1", "w2"]  # (arrival order at the queue follows each pool checkout)
    async with lite.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 4


async def test_a_writer_waiting_past_the_busy_timeout_is_told_the_database_is_locked(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3", busy_timeout_ms=200)
    try:
        holder = await engine.connect()
        await holder.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            async with engine.begin() as conn:
                await conn.execute(sa.text("INSERT INTO t DEFAULT VALUES"))
        await holder.rollback()  # the turn passes on after a rollback as after a commit
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        await holder.close()
        async with asyncio.timeout(2), engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t DEFAULT VALUES"))
    finally:
        await engine.dispose()


async def test_a_connection_closed_mid_transaction_passes_the_turn_on(lite: AsyncEngine):
    conn = await lite.connect()
    await conn.execute(sa.text("INSERT INTO t (name) VALUES ('x')"))
    await conn.invalidate()  # the connection is thrown away, its transaction with it
    async with asyncio.timeout(2), lite.begin() as again:
        await again.execute(sa.text("INSERT INTO t (name) VALUES ('y')"))
    async with lite.connect() as c:
        assert (await c.execute(sa.text("SELECT name FROM t"))).scalars().all() == ["y"]
