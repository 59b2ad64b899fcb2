"""Fault and abuse tests on the demo company: a warehouse worker, a manager and a sales rep
on Telegram, services built like `qm run` builds them (barcode decoder loaded)."""
from __future__ import annotations

import pytest

from bot.app import load_decoder
from domain.models import Role, User

from ..dialogue_helpers import Chat, dialogue_for, make_services

WORKER, BOSS, REP = 900, 901, 902


def build_services(engine, url, **overrides):
    services = make_services(engine, url, **overrides)
    services.decode_image = load_decoder()
    return services


async def add_people(services) -> None:
    async with services.uow() as uow:
        uow.session.add_all([User(name="Georgi", role=Role.warehouse, telegram_id=WORKER),
                             User(name="Boss", role=Role.manager, telegram_id=BOSS),
                             User(name="Rita", role=Role.sales, telegram_id=REP)])
        await uow.commit()


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url)
    await add_people(services)
    return services


@pytest.fixture
def chat(services):
    dialogue = dialogue_for(services)
    return lambda who=WORKER: Chat(dialogue, external_id=str(who))
