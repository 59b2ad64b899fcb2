"""Scheduled reports (digest, funnel with its chart, replenishment when planning exists), report
rows once per period, quiet hours, the shared send pace, the scheduler lease and catch-up."""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import select

from bot.i18n import translate
from bot.telegram.notifier import TelegramNotifier
from domain import outbox
from domain.models import (Customer, Deal, Location, LocationKind, OrderStatus, Outbox, Product, SalesOrder, StockQuant,
                           User, Warehouse)
from domain.quiet_hours import next_allowed, parse_window
from jobs import reports
from jobs.leader import SchedulerLease
from jobs.scheduler import Scheduling, last_fire_time
from storage.engine import create_engine

from .conftest import NOW


async def _telegram_rows(services):
    async with services.uow() as uow:
        return list((await uow.session.exec(select(Outbox).where(Outbox.channel == "telegram").order_by(Outbox.id))).all())


async def test_stock_digest_lists_exceptions_once_a_day(services, people):
    async with services.uow() as uow:
        s = uow.session
        wh = Warehouse(code="MAIN", name="Main")
        s.add(wh)
        await s.flush()
        p1, p2 = Product(sku="W-1", name="Widget"), Product(sku="G-2", name="Gadget")
        s.add_all([p1, p2])
        await s.flush()
        bin1 = Location(warehouse_id=wh.id, code="A-01", kind=LocationKind.storage)
        face = Location(warehouse_id=wh.id, code="P-01", kind=LocationKind.storage, fixed_product_id=p2.id, min_qty=Decimal(10))
        s.add_all([bin1, face])
        await s.flush()
        s.add_all([StockQuant(product_id=p1.id, location_id=bin1.id, quantity=Decimal(-3)),
                   StockQuant(product_id=p2.id, location_id=face.id, quantity=Decimal(4))])
        c = Customer(code="C1", name="ACME Ltd")
        s.add(c)
        await s.flush()
        s.add_all([SalesOrder(number="1042", customer_id=c.id, status=OrderStatus.packed, promised_date=date(2026, 11, 20)),
                   SalesOrder(number="1043", customer_id=c.id, status=OrderStatus.shipped, promised_date=date(2026, 11, 20)),
                   SalesOrder(number="1044", customer_id=c.id, status=OrderStatus.reserved, promised_date=date(2026, 11, 23))])
        await uow.commit()
    assert await reports.stock_digest_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 1
    assert await reports.stock_digest_job(services.uow, now=NOW + timedelta(hours=1), tz="Europe/Sofia", translate=translate) == 0
    [row] = await _telegram_rows(services)
    assert row.recipient == "9001"  # the manager, not the sales rep
    assert "negative: W-1 Widget at A-01: -3" in row.body and "low: G-2 Gadget at P-01: 4 (min 10)" in row.body
    assert "order 1042 (ACME Ltd) promised by today, still packed" in row.body
    assert "1043" not in row.body and "1044" not in row.body


class _Bot:
    def __init__(self):
        self.calls = []

    async def send_photo(self, chat_id, photo, caption=None, reply_markup=None):
        self.calls.append(("photo", chat_id, photo, caption))
        return SimpleNamespace(message_id=7)

    async def send_document(self, chat_id, document, caption=None, reply_markup=None):
        self.calls.append(("document", chat_id, document, caption))
        return SimpleNamespace(message_id=8)

    async def send_message(self, chat_id, text, reply_markup=None):
        self.calls.append(("text", chat_id, None, text))
        return SimpleNamespace(message_id=9)


async def test_weekly_funnel_row_is_small_and_its_chart_is_drawn_at_send_time(services, people):
    async with services.uow() as uow:
        c = Customer(code="C1", name="ACME Ltd")
        uow.session.add(c)
        await uow.session.flush()
        uow.session.add(Deal(customer_id=c.id, title="chairs", amount=Decimal(1000), created_at=NOW - timedelta(days=2)))
        await uow.commit()
    assert await reports.weekly_funnel_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate, currency="EUR") == 1
    assert await reports.weekly_funnel_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate, currency="EUR") == 0
    [row] = await _telegram_rows(services)
    att = row.payload["attachment"]
    assert att["render"] == "funnel_png" and att["args"]["counts"][0] == 1 and len(str(row.payload)) < 2000
    bot = _Bot()
    assert await TelegramNotifier(bot).send(row.recipient, row.body, row.payload) == "7"
    [(kind, chat_id, photo, caption)] = bot.calls
    assert kind == "photo" and chat_id == 9001 and caption.startswith("Sales funnel")
    assert photo.input_file_content[:8] == b"\x89PNG\r\n\x1a\n"
    long = await TelegramNotifier(bot).send("9001", "x" * 2000, {"attachment": {"kind": "document", "filename": "t.xlsx",
                                                                              "render": "table_xlsx", "args": {
                                                                                  "title": "T", "columns": ["a"], "rows": [[1]]}}})
    assert long == "9" and [c[0] for c in bot.calls[1:]] == ["text", "document"]
    assert bot.calls[2][2].input_file_content[:2] == b"PK"


def _plan_line(**changes):
    """What the planner returns for one product (the fields the report and its reason read)."""
    return SimpleNamespace(**{
        "sku": "W-1", "name": "Widget", "warehouse": "MAIN", "supplier": "Nordic", "on_hand": 2.0, "on_order": 0.0,
        "reorder_point": 10.0, "suggested_qty": 40.0, "reason": "(English, stored)", "is_kit": False,
        "forecast_per_day": 1.5, "method": "SES", "dependent_per_day": 0.0, "parents": [], "history_days": 365,
        "lead_time_source": "quoted", "lead_time_days": 7.0, "lead_time_sd": 0.0, "lead_time_receipts": 0,
        "has_rule": False, "safety_stock": 4.0, "service_level": 0.95, "order_up_to": 42.0, "projected": 2.0,
        "kit_stock": 0.0, "reserved": 0.0, "need": 40.0, "moq": 1.0, "pack_multiple": 1.0, "suggested_min": None,
        "suggested_max": None, **changes})


async def test_replenishment_report_goes_to_purchasing_with_a_sheet(services, people, monkeypatch):
    line = _plan_line(supplier="Nordic")

    async def run_plan(session):
        return SimpleNamespace(lines=[line, SimpleNamespace(**{**line.__dict__, "sku": "G-2", "suggested_qty": 0.0})])

    monkeypatch.setattr(reports, "run_plan", run_plan)
    assert await reports.replenishment_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 1
    [row] = await _telegram_rows(services)
    assert row.recipient == "9001" and "1 product to order" in row.body and "W-1 Widget (MAIN): 40" in row.body
    sheet = row.payload["attachment"]["args"]
    assert sheet["rows"][0][:2] == ["W-1", "Widget"] and "Order 40 to reach 42." in sheet["rows"][0][-1]


async def test_replenishment_report_counts_a_product_once_across_warehouses(services, people, monkeypatch):
    async def run_plan(session):
        return SimpleNamespace(lines=[_plan_line(), _plan_line(warehouse="NORTH", suggested_qty=12.0)])

    monkeypatch.setattr(reports, "run_plan", run_plan)
    assert await reports.replenishment_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 1
    [row] = await _telegram_rows(services)
    assert "1 product to order" in row.body and len(row.payload["attachment"]["args"]["rows"]) == 2
    assert "W-1 Widget (MAIN): 40" in row.body and "W-1 Widget (NORTH): 12" in row.body


async def test_replenishment_report_speaks_the_readers_language(services, people, monkeypatch):
    line = _plan_line(supplier=None)

    async def run_plan(session):
        return SimpleNamespace(lines=[line])

    async with services.uow() as uow:
        buyer = (await uow.session.exec(select(User).where(User.telegram_id == 9001))).one()
        buyer.language = "ru"
        await uow.commit()
    monkeypatch.setattr(reports, "run_plan", run_plan)
    assert await reports.replenishment_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 1
    [row] = await _telegram_rows(services)
    sheet = row.payload["attachment"]["args"]
    assert sheet["title"] == "Пополнение" and "Причина" in sheet["columns"]
    assert "Заказать 40" in sheet["rows"][0][-1] and "Поставщик не указан" in sheet["rows"][0][-1]


def test_quiet_hours_defer_to_the_morning_in_the_recipients_zone():
    window = parse_window("21:00-09:00")
    at = datetime(2026, 11, 20, 20, 30, tzinfo=timezone.utc)  # 22:30 Sofia, 15:30 New York
    assert next_allowed(at, "Europe/Sofia", window) == datetime(2026, 11, 21, 7, 0, tzinfo=timezone.utc)
    assert next_allowed(at, "America/New_York", window) == at
    early = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)  # 07:00 Sofia
    assert next_allowed(early, "Europe/Sofia", window) == datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)
    assert next_allowed(at, "Europe/Sofia", None) == at and parse_window("") is None
    lunch = parse_window("13:00-14:00")
    assert next_allowed(datetime(2026, 11, 20, 11, 30, tzinfo=timezone.utc), "Europe/Sofia", lunch) == \
        datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


async def test_a_claimed_row_inside_quiet_hours_goes_back_to_wait(services):
    async with services.uow() as uow:
        await outbox.enqueue(uow.session, channel="sms", recipient="+359888100001", body="hi", not_before=NOW,
                             payload={"quiet": {"tz": "Europe/Sofia", "window": "11:00-13:00"}})
        await uow.commit()
    async with services.uow() as uow:
        rows = await outbox.claim(uow.session, channel="sms", limit=5, now=NOW, stale_after=timedelta(minutes=5))
        assert await outbox.hold_back(uow.session, rows, NOW) == []
        await uow.commit()
    async with services.uow() as uow:
        [row] = (await uow.session.exec(select(Outbox))).all()
    assert (row.status, row.not_before, row.attempts) == ("pending", NOW + timedelta(hours=1), 0)


async def test_send_slots_are_shared_so_the_rate_holds_across_claims(services):
    async with services.uow() as uow:
        first = await outbox.reserve_slots(uow.session, "sms", 10, NOW, 5.0)
        second = await outbox.reserve_slots(uow.session, "sms", 5, NOW, 5.0)
        await uow.commit()
    async with services.uow() as uow:  # another process, later: continues after the reserved slots
        third = await outbox.reserve_slots(uow.session, "sms", 1, NOW + timedelta(seconds=1), 5.0)
        later = await outbox.reserve_slots(uow.session, "sms", 1, NOW + timedelta(minutes=1), 5.0)
    assert (first, second, third) == (NOW, NOW + timedelta(seconds=2), NOW + timedelta(seconds=3))
    assert later == NOW + timedelta(minutes=1)  # no backlog: no waiting


def test_catch_up_finds_the_last_missed_fire_time():
    trigger = CronTrigger.from_crontab("30 7 * * 1-5", timezone="Europe/Sofia")
    friday_noon = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    assert last_fire_time(trigger, friday_noon, timedelta(hours=6)) == datetime(2026, 11, 20, 5, 30, tzinfo=timezone.utc)
    assert last_fire_time(trigger, friday_noon, timedelta(hours=2)) is None
    assert last_fire_time(trigger, datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc), timedelta(hours=6)) is None  # Sunday


async def test_sqlite_process_always_holds_the_scheduler(services):
    if services.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    scheduling = Scheduling(services, [], translate)
    assert scheduling.leading
    assert {"reminders", "mailings", "report-funnel", "report-stock_digest", "report-replenishment"} <= \
        {j.id for j in scheduling.scheduler.get_jobs()}


async def test_postgres_lease_has_one_holder_and_passes_on_when_it_dies(services, database_url):
    if services.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        a, b = (SchedulerLease(e, key=4711) for e in engines)
        assert await a.check() and not await b.check()
        assert await a.check()  # still ours
        await a._drop()  # the holder's connection closes, as when its process dies
        assert await b.check()
        scheduling = Scheduling(services, [], translate, lease=SchedulerLease(services.engine, key=4711))
        await scheduling.check_lease()
        assert not scheduling.leading and "reminders" not in {j.id for j in scheduling.scheduler.get_jobs()}
        await b.release()
        await scheduling.check_lease()
        assert scheduling.leading and "reminders" in {j.id for j in scheduling.scheduler.get_jobs()}
        await scheduling.lease.release()
    finally:
        for e in engines:
            await e.dispose()
