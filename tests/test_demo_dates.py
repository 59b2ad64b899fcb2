"""The demo company started on any day has work waiting: open deals closing ahead, reminders due,
overdue invoices, and orders reserved and ready to pick; nothing in it happened after that day."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from bot.settings import load_settings
from domain.demo import seed_demo
from domain.models import Deal, DealStageChange, Invoice, Reminder, SalesOrder, StockReservation
from domain.orders.invoices import overdue_invoices


@pytest.mark.parametrize("today", [date(2026, 3, 2), date(2031, 7, 15)])
async def test_demo_dates_follow_the_day_it_starts(session, today):
    await seed_demo(session, company=load_settings().company, today=today)
    await session.commit()
    s = session
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), timezone.utc)

    open_deals = (await s.exec(select(Deal).where(Deal.stage.not_in(["won", "lost"])))).all()
    assert open_deals and all(d.expected_close >= today for d in open_deals)
    for d in (await s.exec(select(Deal))).all():
        assert d.created_at.date() <= today and (d.closed_at is None or d.closed_at <= end_of_day)
    assert all(c.changed_at <= end_of_day for c in (await s.exec(select(DealStageChange))).all())

    reminders = (await s.exec(select(Reminder))).all()
    due = [r for r in reminders if r.due_at < end_of_day]
    assert due and len(due) < len(reminders)  # due now, and more later this week

    overdue = await overdue_invoices(s, today=today)
    assert overdue and all(o.days_late > 0 for o in overdue)
    assert all(i.issued_on <= today for i in (await s.exec(select(Invoice))).all())

    reserved = (await s.exec(select(SalesOrder).where(SalesOrder.id.in_(
        select(StockReservation.order_id).where(StockReservation.quantity > 0))))).all()
    assert reserved and {o.status for o in reserved} <= {"confirmed", "reserved"}
    orders = (await s.exec(select(SalesOrder))).all()
    assert all(o.order_date <= today for o in orders)
    assert all(o.shipped_at is None or o.shipped_at <= end_of_day for o in orders)
