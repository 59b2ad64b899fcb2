"""The dialogue uses what the parse found in the first message: a product code is answered at
once, a day or week shows that day or week, "all customers" is an audience. Real parser, with
the demo company's names as gazetteers."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.app import company_parser
from domain.models import Reminder, Role, User

from .dialogue_helpers import Chat, dialogue_for, make_services

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # Monday, 10:00 in Sofia


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    services.clock = lambda: NOW
    services.parse = await company_parser(services)
    async with services.uow() as uow:
        boss = User(name="Boss", role=Role.manager, telegram_id=78, language="en", timezone="Europe/Sofia")
        uow.session.add(boss)
        await uow.session.flush()
        for days, text in ((1, "call Globex about the offer"), (3, "send Acme the contract"), (8, "review Q1 targets")):
            uow.session.add(Reminder(user_id=boss.id, text=text, due_at=NOW + timedelta(days=days)))
        await uow.commit()
    return services


async def test_a_product_code_is_answered_at_once(services):
    chat = Chat(dialogue_for(services), external_id="78")
    reply = await chat.text("stock WID-001")
    assert "WID-001" in reply and "Which product" not in reply


async def test_the_list_shows_the_day_or_week_asked_about(services):
    chat = Chat(dialogue_for(services), external_id="78")
    tomorrow = await chat.text("what's on my list tomorrow")
    assert "Globex" in tomorrow and "Acme" not in tomorrow and "8 Dec 2026" in tomorrow
    week = await chat.text("what do I have this week")
    assert "Globex" in week and "Acme" in week and "Q1" not in week
    today = await chat.text("what's on my list today")
    assert "Nothing on your list for today" in today


async def test_text_all_customers_offers_everyone_with_consent(services):
    chat = Chat(dialogue_for(services), external_id="78")
    reply = await chat.text("text all customers: we are closed on Monday")
    assert "No client groups" not in reply
    assert "SMS to All customers" in reply
