"""Sales fixtures: a manager, two reps (Telegram users), a few customers, a settable clock,
and a fake NLU returning the contract's shape."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from domain.models import Contact, Customer, Role, User

from ..dialogue_helpers import Chat, dialogue_for, make_services

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # a Friday, 10:00 in Sofia


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Parsed:
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.95
    lang: str = "en"
    alternatives: list = field(default_factory=list)


class FakeNLU:
    """Answers with whatever the test set for the next message (the contract's shape)."""

    def __init__(self):
        self.next: Parsed | None = None
        self.calls: list[str] = []

    def __call__(self, text, lang=None, now=None, tz=None):
        self.calls.append(text)
        assert self.next is not None, f"no parse prepared for {text!r}"
        return self.next


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def services(engine, database_url, clock):
    s = make_services(engine, database_url)
    s.clock = clock
    return s


@pytest.fixture
async def people(services):
    async with services.uow() as uow:
        users = {
            "boss": User(name="Elena Boss", role=Role.manager, telegram_id=9001, timezone="Europe/Sofia"),
            "rep": User(name="Maria Rep", role=Role.sales, telegram_id=9002, timezone="Europe/Sofia"),
            "rep2": User(name="Ivan Rep", role=Role.sales, telegram_id=9003, timezone="Europe/Sofia"),
            "wh": User(name="Georgi Floor", role=Role.warehouse, telegram_id=9004, timezone="Europe/Sofia"),
        }
        uow.session.add_all(users.values())
        await uow.commit()
    return users


@pytest.fixture
async def customers(services, people):
    async with services.uow() as uow:
        rows = [
            Customer(code="C0001", name="ACME Ltd.", city="Sofia", country="BG", phone="+359888100001", owner_id=people["rep"].id, tags="key"),
            Customer(code="C0002", name="Blue Ocean Ltd", city="Varna", country="BG", phone="+359888100002", owner_id=people["rep2"].id),
            Customer(code="C0003", name="Orbit Office OOD", city="Sofia", country="BG", owner_id=people["rep"].id),
            Customer(code="C0004", name="Acme Trading", city="Plovdiv", country="BG", owner_id=people["rep2"].id),
        ]
        uow.session.add_all(rows)
        await uow.session.flush()
        uow.session.add(Contact(customer_id=rows[2].id, name="Kate Wilson", phone="+359888200003", role="purchasing"))
        await uow.commit()
    return {c.code: c for c in rows}


@pytest.fixture
def nlu(services):
    fake = FakeNLU()
    services.parse = fake
    return fake


@pytest.fixture
def dialogue(services):
    return dialogue_for(services)


@pytest.fixture
def chat(dialogue, people):
    def make(who: str = "rep") -> Chat:
        return Chat(dialogue, external_id=str(people[who].telegram_id), name=people[who].name)

    return make
