"""aiosqlite as SQLAlchemy's DBAPI, with one thread hand-off per statement instead of four.

aiosqlite runs every sqlite3 call on its own thread and wakes the event loop for each result;
SQLAlchemy's adapter makes four such calls per statement (create a cursor, execute, fetch all,
close). On a busy 2-core VM one hand-off costs ~0.2–0.3 ms, i.e. more than the statement itself:
a pick confirmation (11 statements) spent ~10 of its 12 ms passing work between threads.

Here a statement's cursor is made, executed, drained and closed by one function on aiosqlite's
thread, and the adapter keeps what SQLAlchemy reads afterwards (description, rows, rowcount,
lastrowid). Passed to the dialect with create_async_engine(module=...), its documented way to
replace the DBAPI; the connection class, transactions, errors and server-side cursors stay
SQLAlchemy's. It queues work on aiosqlite's thread the way SQLAlchemy's own adapter already does
for isolation_level (a private entry point: aiosqlite's version is pinned, and
tests/test_sqlite_driver.py checks the behaviour and the one hand-off).

Writers also queue in the process (WriterQueue) instead of polling SQLite's lock from its busy handler.

Fewer trips still (issue #24): a trip is two thread wake-ups, and on a machine whose cores are
busy each wake-up may give the core away for a scheduler slice (the event loop measured ~1 ms in
SimpleQueue.put_nowait per trip at load 8 on 2 cores). So statements of bounded cost run on the
event loop's own thread (_inline): a SELECT for at most INLINE_BUDGET_S (then interrupted and sent
to the thread), a one-row INSERT or UPDATE by id; BEGIN IMMEDIATE too when SQLite's lock is free
(_begin_inline), else it travels to the thread with the next statement; and a small transaction's
COMMIT, with SQLite's checkpoint (which fsyncs) taken out of COMMIT and run on the thread every
CHECKPOINT_EVERY commits (OneTripConnection.commit). A text update went from 13 trips to 0, a pick
step from 10 to about 1 (python -m bench.e2e.trace).
"""
from __future__ import annotations

import asyncio
import collections
import functools
import operator
import os
import re
import sqlite3
import time
import weakref
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor, AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


def _run(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any, begin: str | None = None) -> tuple:
    """On aiosqlite's thread (or inline, see _inline): the whole life of one cursor; `begin`, a
    deferred BEGIN, goes first in the same trip."""
    if begin is not None:
        conn.execute(begin).close()
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


INLINE_BUDGET_S = 0.002  # a SELECT runs on the event loop's thread for at most this long (see _inline)
_PROGRESS_EVERY = 1000  # SQLite VM instructions between two looks at the clock


def _inline(conn: sqlite3.Connection, operation: str, parameters: Any) -> tuple | None:
    """A statement on the calling (event loop's) thread: no hand-off to aiosqlite's thread and back,
    which on a busy machine costs more than the statement (each wake-up of the other thread can
    give the core away). Only statements whose cost is bounded (see _inline_kind):
    - a SELECT, bounded in time: past INLINE_BUDGET_S SQLite's progress handler interrupts it and
      None says "run it on the thread" (an interrupted SELECT changes nothing and leaves the
      transaction as it was), so a long report query costs the loop at most the budget;
    - a one-row write (INSERT of one VALUES row, UPDATE by primary key), never interrupted (SQLite
      rolls the whole transaction back for an interrupted write): one row and its indexes."""
    if _inline_kind(operation) == "write":
        return _run(conn, False, operation, parameters)
    deadline = time.perf_counter() + INLINE_BUDGET_S
    fired = False

    def over() -> int:
        nonlocal fired
        fired = time.perf_counter() > deadline
        return fired

    conn.set_progress_handler(over, _PROGRESS_EVERY)
    try:
        return _run(conn, False, operation, parameters)
    except sqlite3.OperationalError:
        if fired:
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


# One row: INSERT INTO t (...) VALUES (?, ...) with no sub-expressions, or UPDATE t SET ... WHERE t.id = ? ...
_ONE_ROW_INSERT = re.compile(r'INSERT INTO [\w"]+ \([^()]*\) VALUES \([^()]*\)( ON CONFLICT DO NOTHING)?( RETURNING [\w", ]+)?')
_ONE_ROW_UPDATE = re.compile(r'UPDATE ("?)(\w+)\1 SET [^;]* WHERE \1\2\1\.id = \?( AND [^;]*)?( RETURNING [\w", ]+)?')


def _inline_kind(operation: str) -> str | None:
    """"read" for a plain SELECT (not WITH ..., which may carry a write in SQLite), "write" for a
    one-row write, None for everything else (it goes to aiosqlite's thread)."""
    head = operation[:6].upper()
    if head == "SELECT":
        return "read"
    if head == "INSERT" and _ONE_ROW_INSERT.fullmatch(operation):
        return "write"
    if (head == "UPDATE" and " WHERE " in operation and " OR " not in operation and "SELECT" not in operation
            and _ONE_ROW_UPDATE.fullmatch(operation)):  # no OR (a AND b OR c), no sub-query: one row, O(1)
        return "write"
    return None


def _begin_inline(conn: sqlite3.Connection, begin: str, busy_timeout_ms: int) -> bool:
    """BEGIN IMMEDIATE on the calling thread when SQLite's write lock is free now; False when another
    process holds it (the caller then waits for it on aiosqlite's thread, in SQLite's busy handler)."""
    conn.execute("PRAGMA busy_timeout=0").close()
    try:
        conn.execute(begin).close()
        return True
    except sqlite3.OperationalError as exc:
        if conn.in_transaction or "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}").close()


def _kept(name: str, *, settable: bool = False) -> property:
    """A cursor attribute read from what the trip kept (`_name`): SQLAlchemy's own asks aiosqlite's cursor."""
    kept = "_" + name

    def set_(self, value) -> None:
        setattr(self, kept, value)

    return property(operator.attrgetter(kept), set_ if settable else None)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement costs one trip to aiosqlite's thread."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        # No aiosqlite cursor up front (that alone was a hand-off): each execute makes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description = None
        self._rowcount = -1
        self._lastrowid = None
        self._arraysize = 1

    description = _kept("description")
    rowcount = _kept("rowcount")
    lastrowid = _kept("lastrowid")
    arraysize = _kept("arraysize", settable=True)

    async def _trip(self, many: bool, operation: str, parameters: Any) -> None:
        adapt = self._adapt_connection
        if operation.startswith("BEGIN"):
            # The writer's turn now; the BEGIN itself travels with the next statement (one trip fewer).
            await adapt._begin_writing()
            adapt._pending_begin = operation
            adapt._changes_at_begin = self._connection._conn.total_changes
            self._description, self._rows, self._rowcount, self._lastrowid = None, collections.deque(), -1, None
            return
        begin, adapt._pending_begin = adapt._pending_begin, None
        conn = self._connection._conn
        try:
            async with adapt._execute_mutex:
                out = None
                if not many and _inline_kind(operation) is not None:
                    if begin is not None and _begin_inline(conn, begin, int(adapt._timeout * 1000)):
                        begin = None
                    if begin is None:
                        out = _inline(conn, operation, parameters)
                if out is None:
                    out = await self._connection._execute(_run, conn, many, operation, parameters, begin)
        except BaseException:
            if begin is not None:
                adapt._end_writing_if_idle()
            raise
        description, rows, self._rowcount, self._lastrowid = out
        self._description = description
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: str, parameters: Any) -> None:
        await self._trip(False, operation, parameters)

    async def _executemany_async(self, operation: str, seq_of_parameters: Any) -> None:
        await self._trip(True, operation, seq_of_parameters)

    async def _async_soft_close(self) -> None:
        return None  # nothing is open on the other thread

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None  # sqlite3 has one result set per statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


INLINE_COMMIT_ROWS = 200  # a transaction that changed more rows commits on aiosqlite's thread
CHECKPOINT_EVERY = 100  # commits with changes between two WAL checkpoints (SQLite's own: at 1,000 WAL pages)


def _commit_and_checkpoint(conn: sqlite3.Connection, checkpoint: bool) -> None:
    conn.commit()
    if checkpoint:  # PASSIVE, as SQLite's automatic one: copies what no reader still needs, waits for nobody
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


class Checkpoints:
    """Counts commits that changed something, per database file in this process: every
    CHECKPOINT_EVERY-th is told to checkpoint the WAL (so it stays about as short as SQLite's own
    automatic checkpoint keeps it; another process counts its own commits, and the last
    connection to close checkpoints everything)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def count(self, database: str) -> bool:
        n = self._counts.get(database, 0) + 1
        self._counts[database] = 0 if n >= CHECKPOINT_EVERY else n
        return n >= CHECKPOINT_EVERY


CHECKPOINTS = Checkpoints()


class WriterQueue:
    """One writer at a time per database file in this process, in arrival order.

    Every transaction here starts with BEGIN IMMEDIATE (storage/engine.py), i.e. takes SQLite's write
    lock. Left to SQLite, a connection that finds it taken sleeps in the busy handler (1, 2, 5 ... 100 ms)
    and polls again, so under load the lock sits free while writers sleep, and an unlucky one waits
    seconds. Queued here, the next writer starts the moment the last one commits. Other processes on
    the same file still meet at SQLite's lock, with its busy timeout.
    """

    def __init__(self) -> None:
        # An asyncio.Lock belongs to one event loop: one set per loop, gone with the loop.
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
            weakref.WeakKeyDictionary())

    def lock(self, database: str) -> asyncio.Lock:
        per_file = self._locks.setdefault(asyncio.get_running_loop(), {})
        key = database if database.startswith("file:") else os.path.realpath(database)
        found = per_file.get(key)
        if found is None:
            found = per_file[key] = asyncio.Lock()
        return found


WRITERS = WriterQueue()


def _then(give_up_the_turn: Callable[[Any], None]):
    """The method gives up the writer's turn (`give_up_the_turn`) after it ran, also when it failed."""
    def wrap(method):
        @functools.wraps(method)
        def run(self) -> None:
            try:
                method(self)
            finally:
                give_up_the_turn(self)

        return run

    return wrap


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_database", "_timeout", "_writing", "_pending_begin", "_changes_at_begin")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any, database: str, timeout: float):
        super().__init__(dbapi, connection)
        self._database = database
        self._timeout = timeout
        self._writing: asyncio.Lock | None = None
        self._pending_begin: str | None = None  # a BEGIN not yet sent: it goes with the next statement
        self._changes_at_begin = 0  # sqlite3's total_changes when the transaction began (see commit)

    async def _begin_writing(self) -> None:
        if self._database in ("", ":memory:") or self._writing is not None:
            return  # a private database has no other writers; a connection already holding it goes on
        lock = WRITERS.lock(self._database)
        try:  # asyncio.timeout, not wait_for: 3.11's wait_for can time out with the lock taken (gh-86296)
            async with asyncio.timeout(self._timeout):
                await lock.acquire()
        except TimeoutError:  # what SQLite itself says after its busy timeout
            raise sqlite3.OperationalError("database is locked") from None
        self._writing = lock

    def cursor(self, server_side: bool = False):
        if server_side and self._pending_begin is not None:  # a streamed result: the BEGIN goes on its own first
            begin, self._pending_begin = self._pending_begin, None
            await_(self._connection.execute(begin))
        return super().cursor(server_side)

    def _end_writing(self) -> None:
        lock, self._writing = self._writing, None
        if lock is not None:
            lock.release()

    def _in_transaction(self) -> bool:
        try:
            return self._connection.in_transaction
        except ValueError:  # closed: let SQLAlchemy's rollback raise and handle it
            return True

    def _end_writing_if_idle(self) -> None:
        # A failed COMMIT (SQLITE_BUSY from another process) leaves the transaction open: keep the turn.
        if not self._in_transaction():
            self._end_writing()

    @_then(_end_writing_if_idle)
    def commit(self) -> None:
        """A small transaction commits on the event loop's thread: with WAL and synchronous=NORMAL a
        COMMIT appends the transaction's pages to the WAL file without fsync; what can take long is
        the checkpoint SQLite would run inside it, which is off here (wal_autocheckpoint=0,
        storage/engine.py) and done instead every CHECKPOINT_EVERY commits of this process, by the
        commit that reaches the count, on aiosqlite's thread. A transaction that changed more than
        INLINE_COMMIT_ROWS rows commits there too (its pages may be many), and checkpoints after it
        as SQLite's automatic checkpoint would have."""
        if self._pending_begin is not None:  # nothing was run since BEGIN: nothing to commit, no trip
            self._pending_begin = None
            return
        conn = self._connection._conn
        if not conn.in_transaction:
            return  # (sqlite3's commit would do nothing either)
        changed = conn.total_changes - self._changes_at_begin
        if self._database in ("", ":memory:"):  # no WAL, no file: nothing slow in COMMIT
            conn.commit()
            return
        counted = changed > 0 and CHECKPOINTS.count(self._database)
        big = changed > INLINE_COMMIT_ROWS
        if not (counted or big):
            conn.commit()
            return
        await_(self._connection._execute(_commit_and_checkpoint, conn, True))

    @_then(_end_writing_if_idle)
    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, also just after a commit: outside a
        # transaction there is nothing to undo, so that costs no trip (sqlite3 reads SQLite's own flag).
        self._pending_begin = None
        if self._in_transaction():
            super().rollback()

    @_then(_end_writing)
    def close(self) -> None:
        self._pending_begin = None
        super().close()

    @_then(_end_writing)
    def terminate(self) -> None:
        super().terminate()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, handing out OneTripConnections."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        database = str(arg[0] if arg else kw.get("database", ""))
        # SELECTs may run on the event loop's thread (_inline): one statement at a time per connection,
        # never two threads at once (each statement is awaited before the next is sent).
        kw.setdefault("check_same_thread", False)
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection, database, float(kw.get("timeout", 5.0)))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
