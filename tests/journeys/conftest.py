"""One copy of the demo company and one real `qm run` per journey module (a role's ten journeys
share them; each journey uses its own people and its own records, so their order doesn't matter)."""
from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid

import pytest

from ..fakes.telegram_server import TelegramServer
from ..qm_process import TOKEN, QmRun, qm_env
from .driver import App, Person

# test id -> the people of that journey, for the summary printed at the end of the run
SPENT: dict[str, list[Person]] = {}

# Scheduled reports would drop into a manager's chat in the middle of a journey: off; the
# reminders job runs often so a due reminder arrives while the journey waits for it.
QUIET_JOBS = {
    "QM_JOBS__REPORTS__REPLENISHMENT__ENABLED": "false",
    "QM_JOBS__REPORTS__STOCK_DIGEST__ENABLED": "false",
    "QM_JOBS__REPORTS__FUNNEL__ENABLED": "false",
    "QM_JOBS__REMINDERS_EVERY_S": "1",
    "QM_JOBS__OUTBOX_EVERY_S": "1",
}


@pytest.fixture(scope="module")
def journey_database(demo_template, tmp_path_factory):
    """A copy of the demo company for this module."""
    kind, source = demo_template
    if kind == "sqlite":
        target = tmp_path_factory.mktemp("journeys") / "demo.sqlite3"
        shutil.copyfile(source, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    import asyncpg

    base = os.environ.get("QM_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")  # as tests/conftest.py
    name = f"qm_j_{uuid.uuid4().hex[:10]}"
    dsn = base.replace("+asyncpg", "") + "/postgres"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def app(request, journey_database, tmp_path_factory):
    """`qm run` serving the module's demo copy through the local Bot API server."""
    extra = {**QUIET_JOBS, **getattr(request.module, "QM_ENV", {})}
    with TelegramServer(token=TOKEN) as telegram:
        env = qm_env(journey_database, telegram, **extra)
        log = tmp_path_factory.mktemp("qm") / "qm.log"
        process = QmRun(env, log).start(timeout=120)
        try:
            yield App(telegram, journey_database, itertools.count(int(request.module.FIRST_CHAT_ID)), process.port)
        finally:
            code = process.stop()
            assert code == 0, f"qm run exited with {code}:\n{process.log()[-4000:]}"


@pytest.fixture(autouse=True)
def _record_spending(request, app):
    app.people = SPENT.setdefault(request.node.nodeid.split("::")[-1], [])
    yield


def pytest_terminal_summary(terminalreporter):
    """What each journey took, person by person (setting up not counted)."""
    if not SPENT:
        return
    terminalreporter.section("journeys: messages, scans, photos and taps")
    for test, people in SPENT.items():
        for person in people:
            used = ", ".join(f"{k} {v}" for k, v in person.count.items() if v)
            if used:
                terminalreporter.write_line(f"{test} [{person.role} {person.name}]: {used}")
