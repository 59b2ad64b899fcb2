"""Managers in the chat: the replenishment plan with its spreadsheet, chart and approval;
spreadsheets imported with a validation report; exports."""
import re

import pytest
from sqlmodel import select

from domain.models import Product, PurchaseOrder, Role, User

from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=55))
        uow.session.add(User(name="Rep", role=Role.sales, telegram_id=56))
        await uow.commit()
    return services


async def test_plan_with_spreadsheet_chart_and_approval(services):
    boss = Chat(dialogue_for(services), external_id="55")
    replies = await boss.send("/plan")
    assert "to reorder" in replies[0].text
    # products counted once however many warehouses need them: never more than were planned
    planned, to_order = map(int, re.search(r"Plan for (\d+) products?: (\d+) products? to reorder", replies[0].text).groups())
    assert 0 < to_order <= planned
    xlsx = replies[0].attachments[0]
    assert xlsx.filename.endswith(".xlsx") and xlsx.data[:2] == b"PK"
    charts = [b for b in boss.buttons() if b.data.startswith("plan_chart:")]
    approve = [b for b in boss.buttons() if b.data.startswith("plan_ok:")]
    if charts:
        chart = await boss.send(kind="callback", callback=charts[0].data)
        assert chart[0].attachments[0].data[:4] == b"\x89PNG"
    if approve:
        async with services.uow() as uow:
            before = len((await uow.session.exec(select(PurchaseOrder))).all())
        assert "Draft purchase orders created" in await boss.press(approve[0].data)
        async with services.uow() as uow:
            assert len((await uow.session.exec(select(PurchaseOrder))).all()) > before
        assert "Nothing left to order" in await boss.press(approve[0].data)  # never ordered twice


async def test_sales_rep_may_not_plan(services):
    rep = Chat(dialogue_for(services), external_id="56")
    assert "can't do that" in await rep.text("/plan")


async def test_spreadsheet_import_reports_bad_rows_then_loads(services):
    boss = Chat(dialogue_for(services), external_id="55")
    bad = b"sku,name,price\nNEW-1,New thing,3.5\nNEW-2,,-1\n"
    replies = await boss.send(kind="document", data=bad, filename="products.csv")
    assert "line 3" in replies[0].text and "nothing was imported" in replies[0].text
    assert replies[0].text.startswith("products.csv: ")  # the file is named (it was read after the state was cleared)
    good = b"sku,name,price\nNEW-1,New thing,3.5\nNEW-2,Other thing,4\n"
    replies = await boss.send(kind="document", data=good, filename="products.csv")
    assert "looks good" in replies[0].text
    assert "2 new" in await boss.press("imp_ok:")
    async with services.uow() as uow:
        assert (await uow.session.exec(select(Product).where(Product.sku == "NEW-2"))).one().name == "Other thing"


async def test_export_sends_the_file(services):
    boss = Chat(dialogue_for(services), external_id="55")
    replies = await boss.send("/export customers csv")
    att = replies[0].attachments[0]
    assert att.filename == "customers.csv" and b"ACME Ltd." in att.data


async def test_a_russian_speaking_manager_reads_the_import_reasons_in_russian(services):
    async with services.uow() as uow:
        uow.session.add(User(name="Иван", role=Role.manager, telegram_id=57, language="ru"))
        await uow.commit()
    ivan = Chat(dialogue_for(services), external_id="57", lang="ru")
    bad = b"sku,name,price,currency\nNEW-1,,3.5,EUR\nNEW-2,Thing,-1,EUR\nNEW-3,Other,abc,EURO\n"
    text = (await ivan.send(kind="document", data=bad, filename="products.csv"))[0].text
    assert "строка 2: name: значение не заполнено" in text, text
    assert "строка 3: price: -1 — отрицательное число" in text
    assert "строка 4: price: 'abc' — не число; currency: 'EURO' — не код валюты (EUR, USD, RUB…)" in text
    assert not {"is", "not", "empty", "negative", "number"} & set(text.split())
