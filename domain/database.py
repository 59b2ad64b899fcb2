"""What the domain needs from the database beyond the SQL every supported database speaks alike.

The domain states its needs here (`Database`); storage/dialects.py meets them once per database
(PostgreSQL, SQLite) and storage.engine.create_engine installs the implementation for each engine it
builds, so every composition root (qm run, qm chat, the CLI commands, the tests, the benchmarks) has it
wired by building its engine there. Domain code asks `database_of(session or connection)` and never
names a database itself (tests/test_boundaries.py keeps it so).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Any, Protocol

import numpy as np
import sqlalchemy as sa


class Database(Protocol):
    name: str  # SQLAlchemy's dialect name of the engines it serves

    # One statement that books a confirmed pick from bin to packing dock (see inventory/pick_booking.py
    # for its parameters and result columns); None where the database cannot chain writes in one
    # statement, and the booking is done in a few.
    confirmed_pick: sa.TextClause | None

    # One statement that opens a message's transaction (domain/conversations.py): records the event's
    # key (:key, :now), and for a new event sets the chat's conversation (:in_channel, :in_chat)
    # updated_at to :now and locks it; one row of `fresh`, the conversation's and the user's columns.
    # None where the database cannot chain writes in one statement.
    conversation_opening: sa.TextualSelect | None

    def insert(self, table) -> Any:
        """INSERT with .on_conflict_do_update(...), .on_conflict_do_nothing(...) and .excluded."""

    async def upsert_rows(self, conn, table: sa.Table, conflict: Sequence[str], fields: Sequence[str],
                          records: list[dict]) -> None:
        """Inserts `records` (dicts of the same keys) into `table`; a row whose `conflict` columns match a
        stored one updates that row's `fields` (none: the stored row is left as it is)."""

    def bulk_loading(self, conn) -> AbstractAsyncContextManager[None]:
        """Database settings for the span of a big load (e.g. a bigger page cache), restored after it."""

    def days_since(self, column, start: date) -> sa.ColumnElement:
        """SQL for whole days from `start` to a DATE column."""

    async def series_per_group(self, conn, keys: Sequence, offset, value, where: Iterable
                               ) -> list[tuple[Any, Any, np.ndarray, np.ndarray]]:
        """Rows matching `where`, grouped by the two `keys` columns: per group (key 1, key 2, offsets as
        float64 array, values as float64 array), fetched packed rather than a Python object per row."""

    async def lock_for_transaction(self, session, names: Iterable[str]) -> None:
        """Serialises transactions that name the same strings, until commit (no-op where the database
        already serialises writers)."""


_installed: dict[str, Database] = {}


def install(database: Database) -> None:
    """Called by storage when it builds an engine: the implementation its sessions will be given."""
    _installed[database.name] = database


def database_of(bind) -> Database:
    """The implementation for a session's, connection's or engine's database."""
    dialect = getattr(bind, "dialect", None) or bind.bind.dialect
    try:
        return _installed[dialect.name]
    except KeyError:
        raise RuntimeError(f"no Database installed for {dialect.name}: build engines with "
                           "storage.engine.create_engine") from None
