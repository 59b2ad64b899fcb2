"""The demo company with a warehouse worker, a manager and a sales rep on Telegram, the barcode
decoder and the language layer loaded (as `qm run` builds them)."""
from __future__ import annotations

import pytest

from bot.app import load_parser

from ..faults.conftest import BOSS, REP, WORKER, add_people, build_services, chat  # noqa: F401  (the people, and `chat`)

_PARSE = []


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url)
    if not _PARSE:
        _PARSE.append(load_parser())
    services.parse = _PARSE[0]
    await add_people(services)
    return services
