"""Jobs fixtures: a manager on Telegram, customers with and without SMS consent in a group,
a settable clock, services whose SMS goes to the local Twilio server."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.twilio.notifier import TwilioSmsNotifier
from domain.models import ClientGroup, ClientGroupMember, Contact, Customer, Role, SmsOptOut, User
from tests.fakes.fixtures import TWILIO_NUMBER

from ..dialogue_helpers import Chat, dialogue_for, make_services

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)  # Friday 12:00 in Sofia: outside quiet hours


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def services(engine, database_url, clock, twilio_server):
    s = make_services(engine, database_url, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token,
        "api_base_url": twilio_server.base_url, "from_number": TWILIO_NUMBER})
    s.clock = clock
    return s


@pytest.fixture
def sms(services):
    return TwilioSmsNotifier(services.settings)


@pytest.fixture
async def people(services):
    async with services.uow() as uow:
        users = {"boss": User(name="Elena Boss", role=Role.manager, telegram_id=9001),
                 "rep": User(name="Maria Rep", role=Role.sales, telegram_id=9002)}
        uow.session.add_all(users.values())
        await uow.commit()
    return users


@pytest.fixture
async def vip(services, people):
    """Group VIP: ACME (consent, own phone + a consented contact), Blue Ocean (consent, opted out),
    Orbit (no consent; its contact consents), Delta (no phone at all), Echo in New York (consent)."""
    async with services.uow() as uow:
        s = uow.session
        cs = [Customer(code="C1", name="ACME Ltd", phone="+359888100001", sms_consent=True),
              Customer(code="C2", name="Blue Ocean", phone="+359888100002", sms_consent=True),
              Customer(code="C3", name="Orbit OOD", phone="+359888100003", sms_consent=False),
              Customer(code="C4", name="Delta"),
              Customer(code="C5", name="Echo Inc", phone="+12125550105", sms_consent=True, timezone="America/New_York")]
        s.add_all(cs)
        await s.flush()
        s.add_all([Contact(customer_id=cs[0].id, name="Ivan Petrov", phone="+359888100001", sms_consent=True),
                   Contact(customer_id=cs[0].id, name="Anna Ivanova", phone="+359888200001", sms_consent=True),
                   Contact(customer_id=cs[2].id, name="Kate Wilson", phone="+359888200003", sms_consent=True)])
        s.add(SmsOptOut(phone="+359888100002", keyword="STOP"))
        group = ClientGroup(name="VIP", kind="manual")
        s.add(group)
        await s.flush()
        s.add_all([ClientGroupMember(group_id=group.id, customer_id=c.id) for c in cs])
        await uow.commit()
    return group


@pytest.fixture
def chat(services, people):
    dialogue = dialogue_for(services)

    def make(who: str = "boss") -> Chat:
        return Chat(dialogue, external_id=str(people[who].telegram_id), name=people[who].name)

    return make
