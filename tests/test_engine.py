"""The engine survives the database closing its connections (a PostgreSQL restart) without a
failed message: a pooled connection the server closed is replaced at checkout."""
import asyncio

import pytest
import sqlalchemy as sa

from storage.engine import session_factory

from .conftest import TEST_DB


@pytest.mark.skipif(TEST_DB != "postgres", reason="SQLite has no server to close connections")
async def test_a_connection_closed_by_the_server_is_replaced_at_checkout(engine):
    sessions = session_factory(engine)
    async with engine.connect() as other:  # plays the server: closes a pooled connection
        async with sessions() as s:
            pid = (await s.exec(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await asyncio.sleep(0.2)  # the pooled connection reads the server's goodbye

    for _ in range(2):  # whichever pooled connection comes first, the message goes through
        async with sessions() as s:
            assert (await s.exec(sa.text("SELECT pg_backend_pid()"))).scalar_one() != pid
            await s.commit()
