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
"""
from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor, AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


def _run(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> tuple:
    """On aiosqlite's thread: the whole life of one cursor."""
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

    @property
    def description(self):
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self):
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _trip(self, many: bool, operation: str, parameters: Any) -> None:
        async with self._adapt_connection._execute_mutex:
            description, rows, self._rowcount, self._lastrowid = await self._connection._execute(
                _run, self._connection._conn, many, operation, parameters)
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


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, also just after a commit: outside a
        # transaction there is nothing to undo, so that costs no trip (sqlite3 reads SQLite's own flag).
        try:
            idle = not self._connection.in_transaction
        except ValueError:  # closed: let SQLAlchemy's rollback raise and handle it
            idle = False
        if not idle:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, handing out OneTripConnections."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
