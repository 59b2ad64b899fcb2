"""The demo company with a warehouse worker, a manager and a sales rep on Telegram, the barcode
decoder and the language layer loaded (as `qm run` builds them)."""
from __future__ import annotations

import pytest

from bot.app import load_parser

from ..dialogue_helpers import Chat, dialogue_for
from ..faults.conftest import BOSS, REP, WORKER, add_people, build_services  # noqa: F401  (the people, for the tests)

_PARSE = []


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url)
    if not _PARSE:
        _PARSE.append(load_parser())
    services.parse = _PARSE[0]
    await add_people(services)
    return services


@pytest.fixture
def chat(services):
    dialogue = dialogue_for(services)
    return lambda who=WORKER: Chat(dialogue, external_id=str(who))
