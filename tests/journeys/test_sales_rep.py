"""Journeys of a sales rep, through the real `qm run` and the Telegram test server: each reaches
its goal (checked in the database or in the answer) within its budget of messages and taps."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.crm.deals import create_deal
from domain.models import (Customer, Deal, DealStageChange, Interaction, Invoice, PlanRun, Product, Reminder, SalesOrder,
                           SalesOrderLine, User, utcnow)

from .data import stocked_bin

FIRST_CHAT_ID = 91_000
TZ = ZoneInfo("Europe/Sofia")  # the company's (and so every new person's) time zone


def _customer(name: str):
    return select(Customer).where(Customer.name == name)


def _today():
    return datetime.now(TZ).date()


async def _remind(app, rep, text: str, due: datetime, status: str = "pending") -> None:
    async def add(s):
        s.add(Reminder(user_id=rep.user_id, text=text, due_at=due, status=status))
        await s.commit()
    await app.db(add)


async def _agenda(app, rep) -> dict[str, datetime]:
    """A rep's list: overdue since yesterday (delivered, not done), later today, tomorrow, in 3 and in 10 days."""
    now = datetime.now(TZ)
    later_today = min(now + timedelta(hours=2), datetime.combine(now.date(), time(23, 59), TZ))
    when = {"Overdue: send ACME the price list": now - timedelta(days=1),
            "Today: call Blue Ocean back": later_today,
            "Tomorrow: visit Initech": datetime.combine(now.date() + timedelta(days=1), time(11), TZ),
            "In three days: quote for Globex": datetime.combine(now.date() + timedelta(days=3), time(15), TZ),
            "In ten days: Stark Office renewal": datetime.combine(now.date() + timedelta(days=10), time(9), TZ)}
    for text, due in when.items():
        await _remind(app, rep, text, due, status="sent" if due < now else "pending")
    return when


async def test_log_a_call_with_a_follow_up_in_one_message_and_one_tap(app):
    rep = await app.join("sales", "Rita")
    acme = await app.one(_customer("ACME Ltd."))

    logged = await rep.says("Called ACME Ltd., they want a catalogue")
    assert "ACME" in logged.text and "catalogue" in logged.text
    followed = await rep.taps("Remind me tomorrow")

    call = await app.one(select(Interaction).where(Interaction.user_id == rep.user_id))
    assert (call.customer_id, call.channel) == (acme.id, "call") and "catalogue" in call.note
    reminder = await app.one(select(Reminder).where(Reminder.user_id == rep.user_id))
    tomorrow = _today() + timedelta(days=1)
    assert (reminder.customer_id, reminder.interaction_id, reminder.status) == (acme.id, call.id, "pending")
    assert reminder.due_at.astimezone(TZ) == datetime.combine(tomorrow, time(10), TZ)
    assert "tomorrow" in followed.text.lower() and "ACME" in followed.text
    rep.spent(messages=1, taps=1)


async def test_log_a_meeting_in_one_message(app):
    rep = await app.join("sales", "Mila")
    northwind = await app.one(_customer("Northwind Traders"))

    answer = await rep.says("met Northwind Traders today, they liked the offer")

    meeting = await app.one(select(Interaction).where(Interaction.user_id == rep.user_id))
    assert (meeting.customer_id, meeting.channel) == (northwind.id, "meeting")
    assert "liked the offer" in meeting.note
    assert "Northwind Traders" in answer.text and "meeting" in answer.text.lower()
    rep.spent(messages=1)


async def test_move_a_deal_to_the_next_stage_in_one_message(app):
    rep = await app.join("sales", "Dora")
    globex = await app.one(_customer("Globex Corporation"))

    async def arrange(s):
        user = await s.get(User, rep.user_id)
        deal = await create_deal(s, user, customer_id=globex.id, title="Printer paper for Globex", amount="12000",
                                 currency=None, default_currency="EUR", today=_today(), now=utcnow())
        await s.commit()
        return deal.id
    deal_id = await app.db(arrange)

    answer = await rep.says("move the Globex deal to negotiation")

    deal = await app.one(select(Deal).where(Deal.id == deal_id))
    assert deal.stage == "negotiation"
    change = await app.one(select(DealStageChange).where(DealStageChange.deal_id == deal_id)
                           .order_by(DealStageChange.id.desc()))
    assert (change.from_stage, change.to_stage, change.user_id) == ("new", "negotiation", rep.user_id)
    assert "Printer paper for Globex" in answer.text and "negotiation" in answer.text.lower()
    rep.spent(messages=1)


async def test_todays_list_in_one_message(app):
    rep = await app.join("sales", "Vera")
    when = await _agenda(app, rep)

    answer = await rep.says("what's on my list today?")

    assert "Overdue: send ACME the price list" in answer.text  # late ones are on today's list
    if when["Today: call Blue Ocean back"].date() == _today():
        assert "Today: call Blue Ocean back" in answer.text
    for later in ("Tomorrow: visit Initech", "In three days", "In ten days"):
        assert later not in answer.text
    rep.spent(messages=1)


async def test_tomorrows_list_in_one_message(app):
    rep = await app.join("sales", "Lena")
    await _agenda(app, rep)

    answer = await rep.says("what's on my list tomorrow?")

    assert "Tomorrow: visit Initech" in answer.text and "11:00" in answer.text
    for other in ("Overdue", "Today: call", "In three days", "In ten days"):
        assert other not in answer.text
    rep.spent(messages=1)


async def test_this_weeks_list_in_one_message(app):
    rep = await app.join("sales", "Nina")
    await _agenda(app, rep)

    answer = await rep.says("what's on my list this week?")

    for due in ("Overdue: send ACME the price list", "Tomorrow: visit Initech", "In three days: quote for Globex"):
        assert due in answer.text
    assert "In ten days" not in answer.text  # beyond the seven days
    rep.spent(messages=1)


async def test_a_new_customer_in_one_message(app):
    rep = await app.join("sales", "Iva")

    answer = await rep.says("new customer Sunny Bakery, phone 0888123456")

    bakery = await app.one(_customer("Sunny Bakery"))
    assert bakery is not None, answer
    assert (bakery.phone, bakery.owner_id) == ("+359888123456", rep.user_id)
    assert "Sunny Bakery" in answer.text and bakery.code in answer.text
    rep.spent(messages=1)


async def test_an_order_for_a_customer_in_one_message_and_three_taps(app):
    rep = await app.join("sales", "Tina")
    await stocked_bin(app, "J-01-01", {"WRI-039": 10})  # in stock whatever the demo's day
    acme = await app.one(_customer("ACME Ltd."))
    tape = await app.one(select(Product).where(Product.name == "Correction tape"))

    await rep.says("order 10 correction tape for ACME Ltd.")
    await rep.taps("Done")
    await rep.taps("Tomorrow")
    confirmed = await rep.taps("Confirm")

    order = await app.one(select(SalesOrder).where(SalesOrder.created_by_id == rep.user_id))
    assert order is not None and order.customer_id == acme.id
    assert order.status in ("confirmed", "reserved") and order.promised_date == _today() + timedelta(days=1)
    lines = await app.all(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))
    assert [(ln.product_id, ln.quantity, ln.reserved_qty) for ln in lines] == [(tape.id, 10, 10)]  # in stock: reserved
    assert f"Order {order.number} confirmed" in confirmed.text and "reserved" in confirmed.text
    rep.spent(messages=1, taps=3)


async def test_order_status_in_one_message(app):
    rep = await app.join("sales", "Olga")
    order, customer = (await app.all(
        select(SalesOrder, Customer).join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.status == "shipped", SalesOrder.id.in_(select(Invoice.order_id)))
        .order_by(SalesOrder.id)))[0]
    invoice = await app.one(select(Invoice).where(Invoice.order_id == order.id))

    answer = await rep.says(f"where is order {order.number}?")

    assert f"Order {order.number}" in answer.text and customer.name in answer.text
    assert "shipped" in answer.text.lower()
    assert invoice.number in answer.text
    rep.spent(messages=1)


async def test_a_call_logged_by_mistake_is_taken_back_and_its_old_button_does_nothing(app):
    rep = await app.join("sales", "Zoya")
    initech = await app.one(_customer("Initech EOOD"))

    logged = await rep.says("Called Initech EOOD, no answer")
    call = await app.one(select(Interaction).where(Interaction.user_id == rep.user_id))
    assert call.customer_id == initech.id
    undone = await rep.says("/undo")
    assert await app.one(select(Interaction).where(Interaction.user_id == rep.user_id)) is None
    assert "undone" in undone.text.lower()

    # The follow-up buttons of the call just taken back must not make a reminder for it.
    stale = await rep.taps("Remind me tomorrow", on=logged.with_buttons())
    assert await app.one(select(Reminder).where(Reminder.user_id == rep.user_id)) is None
    assert "no longer valid" in stale.text or "earlier message" in stale.text
    rep.spent(messages=2, taps=1)


async def test_a_due_reminder_arrives_and_one_tap_closes_it(app):
    rep = await app.join("sales", "Gala")
    await _remind(app, rep, "Call Stark Office about the chairs", utcnow())

    delivered = await rep.receives("Call Stark Office about the chairs")
    await rep.taps("Done", on=delivered)

    reminder = await app.one(select(Reminder).where(Reminder.user_id == rep.user_id))
    assert reminder.status == "done"
    rep.spent(taps=1)


async def test_an_unclear_product_is_not_dropped_when_the_order_is_finished(app):
    """Typing "done" while "Which product do you mean?" waits must not lose that line silently."""
    rep = await app.join("sales", "Rada")

    await rep.says("/order Wayne Paper Co.")
    await rep.says("10 correction tape")
    asked = await rep.says("5 widgets")
    assert "Which product" in asked.text
    finished = await rep.says("done")

    assert await app.all(select(SalesOrder).where(SalesOrder.created_by_id == rep.user_id)) == []
    # Either the question is asked again, or the rep is told the widgets line is not on the order.
    assert "widget" in finished.text.lower(), finished
    rep.spent(messages=4)


async def test_a_manager_only_request_is_refused_and_changes_nothing(app):
    rep = await app.join("sales", "Sara")
    runs = await app.one(select(func.count()).select_from(PlanRun))

    answer = await rep.says("/plan")

    assert "can't" in answer.text.lower() and "sales" in answer.text.lower()
    assert await app.one(select(func.count()).select_from(PlanRun)) == runs  # no plan was run
    rep.spent(messages=1)
