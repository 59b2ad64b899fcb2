"""Order status SMS: queued with the status change, to a consented number, once per status."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.i18n import translate
from domain import sms_consent
from domain.errors import Conflict
from domain.models import Contact, Customer, OrderStatus, Outbox, SalesOrder
from domain.orders.notifications import notify_order_status
from jobs.outbox_worker import SendPolicy, drain

from .conftest import NOW


async def _order(services, *, phone="+359888100001", consent=True, contact=None, status=OrderStatus.shipped, lang="en"):
    async with services.uow() as uow:
        c = Customer(code="C9", name="ACME Ltd", phone=phone, sms_consent=consent, language=lang)
        uow.session.add(c)
        await uow.session.flush()
        if contact:
            uow.session.add(Contact(customer_id=c.id, name="Kate", phone=contact, sms_consent=True))
        o = SalesOrder(number="1042", customer_id=c.id, status=status)
        uow.session.add(o)
        await uow.commit()
    return o


async def _outbox(services):
    async with services.uow() as uow:
        return list((await uow.session.exec(select(Outbox).order_by(Outbox.id))).all())


async def test_shipping_queues_one_sms_sent_in_the_customers_language(services, sms, twilio_server, clock):
    order = await _order(services, lang="ru")
    async with services.uow() as uow:
        o = await uow.session.get(SalesOrder, order.id)
        assert await notify_order_status(uow.session, o) is not None
        assert await notify_order_status(uow.session, o) is None  # same status again: nothing new
        await uow.commit()
    [row] = await _outbox(services)
    clock.now = row.not_before  # queued at the real time
    assert (row.channel, row.recipient, row.cause) == ("sms", "+359888100001", f"order:{order.id}:shipped")
    await drain(services.uow, sms, now=clock, policy=SendPolicy(), translate=translate)
    [msg] = twilio_server.messages()
    assert msg.to == "+359888100001" and "1042" in msg.body
    assert msg.body == translate("ru", "Your order {number} is on its way. Text {number} to this number for its status.").format(number="1042")


async def test_no_consent_falls_back_to_a_consented_contact_and_opt_out_is_honoured(services):
    order = await _order(services, consent=False, contact="+359888200009")
    async with services.uow() as uow:
        row = await notify_order_status(uow.session, await uow.session.get(SalesOrder, order.id))
        assert row.recipient == "+359888200009"
        await uow.session.delete(row)
        await sms_consent.opt_out(uow.session, "+359888200009", "STOP")
        await uow.session.flush()
        assert await notify_order_status(uow.session, await uow.session.get(SalesOrder, order.id)) is None
        await uow.commit()
    assert await _outbox(services) == []


async def test_other_statuses_send_nothing(services):
    order = await _order(services, status=OrderStatus.picking)
    async with services.uow() as uow:
        assert await notify_order_status(uow.session, await uow.session.get(SalesOrder, order.id)) is None


async def test_delivered_command_marks_the_order_and_texts_the_customer_once(services, people, chat, clock):
    order = await _order(services)
    boss = chat("boss")
    assert "Order 1042 marked delivered" in await boss.text("/delivered 1042")
    assert "already marked delivered" in await boss.text("/delivered 1042")
    assert "no order 9999" in (await boss.text("/delivered 9999")).lower()
    async with services.uow() as uow:
        o = await uow.session.get(SalesOrder, order.id)
        assert o.status == OrderStatus.delivered and o.delivered_at == NOW
    assert [r.cause for r in await _outbox(services)] == [f"order:{order.id}:delivered"]


async def test_only_a_shipped_order_can_be_delivered(services, people, chat):
    await _order(services, status=OrderStatus.picking)
    assert "only a shipped order" in await chat("boss").text("/delivered 1042")
    assert await _outbox(services) == []
