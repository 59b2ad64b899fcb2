"""Telling "the database is not there right now" from every other failure.

Such errors say nothing about the input: the same message will work once the
database is back, so the person is asked to try again in a moment (and nothing
was saved: the transaction never committed). Everything else is a bug or bad data.
"""
from __future__ import annotations

import asyncio

from sqlalchemy import exc as sa_exc

# SQLSTATE: connection exceptions (class 08), server shutting down or starting (57P01-57P03),
# too many connections (53300).
_PG_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_MESSAGES = (
    "database is locked",  # SQLite: another writer held the lock past busy_timeout
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",  # SQLite: the disk (or max_page_count) is full; nothing was written
    "not currently accepting connections",  # PostgreSQL: ALLOW_CONNECTIONS false, being dropped
    "connection was closed in the middle of operation",
    "connection is closed",
    "connection does not exist",
    "the database system is starting up",
    "the database system is shutting down",
)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) means the database could not be reached or used for now."""
    for e in _chain(exc):
        if isinstance(e, (ConnectionError, TimeoutError, asyncio.TimeoutError)):
            return True
        if isinstance(e, OSError) and e.errno is not None:  # refused, reset, unreachable, name lookup
            return True
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, sa_exc.TimeoutError):  # no connection free in the pool in time
            return True
        if isinstance(e, sa_exc.StatementError):  # its text holds the statement's parameters: look at .orig
            continue
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str) and state.startswith(_PG_STATES):
            return True
        text = str(e).lower()
        if any(m in text for m in _MESSAGES):
            return True
    return False
