"""Sales orders in the chat, end to end through the dialogue, on the demo company."""
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.models import Invoice, Role, SalesOrder, SalesOrderLine, StockQuant, User

from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    # These tests bill on confirmation (orders.invoice_policy: ordered); billing by delivery is in test_backorders_flow.
    services = make_services(demo_engine, demo_database_url, orders={"payment_terms_days": 14, "invoice_policy": "ordered"})
    async with services.uow() as uow:
        uow.session.add(User(name="Rep", role=Role.sales, telegram_id=321))
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=322))
        await uow.commit()
    return services


async def test_guided_order_confirmed_reserves_and_sends_invoice(services):
    chat = Chat(dialogue_for(services), external_id="321")
    reply = await chat.text("/order acme")
    assert "ACME Ltd." in reply and "Add lines" in reply
    reply = await chat.text("3 blue widget")
    assert "Blue widget" in reply
    await chat.press("order_done:")
    # the button as offered: its day is the company's (Sofia), which is not the machine's date near midnight UTC
    [in_3_days] = [b for b in chat.buttons() if b.label == "In 3 days"]
    reply = await chat.press(in_3_days.data)
    assert "Confirm" in [b.label for b in chat.buttons()]
    replies = await chat.send(kind="callback", callback="order_ok:confirm")
    text = "\n".join(r.text for r in replies)
    assert "confirmed" in text
    [att] = [a for r in replies for a in r.attachments]
    assert att.filename.startswith("INV-") and att.data.startswith(b"%PDF")
    async with services.uow() as uow:
        order = (await uow.session.exec(select(SalesOrder).order_by(SalesOrder.id.desc()))).first()
        assert order.status in ("reserved", "confirmed")
        line = (await uow.session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
        assert line.quantity == Decimal(3)
        assert (await uow.session.exec(select(Invoice).where(Invoice.order_id == order.id))).one().amount > 0


async def test_bad_quantity_and_unknown_product_change_nothing(services):
    chat = Chat(dialogue_for(services), external_id="321")
    await chat.text("/order acme")
    assert "more than zero" in await chat.text("0 blue widget")
    assert "not a whole number" in await chat.text("1.5 blue widget")
    assert "don't know a product" in await chat.text("4 flux capacitor")
    async with services.uow() as uow:
        count = len((await uow.session.exec(select(SalesOrder))).all())
    await chat.text("/cancel")
    async with services.uow() as uow:
        assert len((await uow.session.exec(select(SalesOrder))).all()) == count


async def test_status_pay_and_cancel(services):
    boss = Chat(dialogue_for(services), external_id="322")
    await boss.text("/order acme")
    await boss.text("2 blue widget")
    await boss.press("order_done:")
    await boss.press("order_day:")
    await boss.press("order_ok:confirm")
    async with services.uow() as uow:
        order = (await uow.session.exec(select(SalesOrder).order_by(SalesOrder.id.desc()))).first()
        invoice = (await uow.session.exec(select(Invoice).where(Invoice.order_id == order.id))).one()
    status = await boss.text(f"/status {order.number}")
    assert order.number in status and "reserved" in status
    assert "more than" in await boss.text(f"/pay {invoice.number} 999999")
    assert "Payment recorded" in await boss.text(f"/pay {invoice.number} 1")
    assert "partly paid" in await boss.text(f"/cancel_order {order.number}")
    async with services.uow() as uow:
        assert (await uow.session.get(SalesOrder, order.id)).status != "cancelled"


async def test_cancel_releases_reservations(services):
    boss = Chat(dialogue_for(services), external_id="322")
    await boss.text("/order acme")
    await boss.text("2 blue widget")
    await boss.press("order_done:")
    await boss.press("order_day:")
    await boss.press("order_ok:confirm")
    async with services.uow() as uow:
        order = (await uow.session.exec(select(SalesOrder).order_by(SalesOrder.id.desc()))).first()
        reserved_before = sum(q.reserved for q in (await uow.session.exec(select(StockQuant))).all())
    assert "cancelled" in await boss.text(f"/cancel_order {order.number}")
    async with services.uow() as uow:
        reserved_after = sum(q.reserved for q in (await uow.session.exec(select(StockQuant))).all())
    assert reserved_after <= reserved_before
    assert (await boss.text(f"/status {order.number}")).count("cancelled") >= 1


async def test_an_unclear_customer_gets_the_shared_choice_without_create(services):
    """/order uses the sales flows' customer choice (cust:order:<id>), but an order is only for a known customer."""
    from domain.models import Customer
    async with services.uow() as uow:
        uow.session.add(Customer(code="ZZ-ORION-1", name="Orion Alpha Trading"))
        uow.session.add(Customer(code="ZZ-ORION-2", name="Orion Beta Trading"))
        await uow.commit()
    chat = Chat(dialogue_for(services), external_id="321")
    assert "Which customer do you mean?" in await chat.text("/order orion trading")
    payloads = [b.data for b in chat.buttons()]
    assert not any(p.endswith(":new") for p in payloads)
    chosen = [p for p in payloads if p.startswith("cust:order:")]
    assert len(chosen) == 2
    reply = await chat.press(chosen[0])
    assert "Orion" in reply and "Add lines" in reply
    assert "Blue widget" in await chat.text("3 blue widget")
    assert "Delivery date" in await chat.text("Готово.")  # any of the one list of "done" words


async def test_no_create_button_is_forged_into_an_order(services):
    chat = Chat(dialogue_for(services), external_id="321")
    assert "no customer like" in await chat.text("/order qqqxyz nobody")
    async with services.uow() as uow:
        before = len((await uow.session.exec(select(SalesOrder))).all())
    await chat.press("cust:order:new")
    async with services.uow() as uow:
        from domain.models import Customer
        assert not (await uow.session.exec(select(Customer).where(Customer.name == "qqqxyz nobody"))).all()
        assert len((await uow.session.exec(select(SalesOrder))).all()) == before
