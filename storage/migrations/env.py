"""Alembic environment. Runs on a connection handed in by storage.migrate, or on
sqlalchemy.url for the command-line generator (make migration)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import domain.models  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url").replace("+aiosqlite", "").replace("+asyncpg", "+psycopg2")
    with create_engine(url).connect() as conn:
        _configure(conn)
        conn.commit()
