"""A backorder end to end, in the chat (Telegram channel), with the customer's SMS sent through the local
Twilio server and the customer asking for the status by SMS (signed webhook):

order 50 with 33 on hand -> ship 33 (SMS: 17 to follow, expected the PO's date) -> receive 20 and put
them away (the backorder is reserved and on the pick list) -> ship the rest (one more SMS) -> the order
is shipped in full, with one invoice per shipment."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.http.app import build_http_app
from bot.i18n import translate
from bot.twilio.notifier import TwilioSmsNotifier
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.models import (
    Customer, Invoice, Location, Outbox, Product, PurchaseOrder, Role,
    SalesOrder, SalesOrderLine, Shipment, StockReservation, User, Warehouse, WarehouseTask,
)
from jobs.outbox_worker import SendPolicy, drain
from tests.fakes.fixtures import TWILIO_NUMBER

from ..backorder_company import EAN, PHONE, add_backorder_company
from ..dialogue_helpers import Chat, dialogue_for, make_services
from .conftest import Clock

PUBLIC = "https://qm.example.com"


@pytest.fixture
def services(engine, database_url, twilio_server):
    s = make_services(engine, database_url, http={"public_url": PUBLIC}, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token,
        "api_base_url": twilio_server.base_url, "from_number": TWILIO_NUMBER})
    return s


@pytest.fixture
async def company(services):
    async with services.uow() as uow:
        expected = await add_backorder_company(uow.session, boss=9001, worker=9010)
        await uow.commit()
    return {"expected": expected}


async def _pick_all(worker: Chat, number: str) -> str:
    reply = await worker.text(f"/pick {number}")
    while "is picked" not in reply:
        assert "Go to bin" in reply, reply
        bin_code = reply.split("Go to bin ")[1].split(" ")[0]
        reply = await worker.text({"A-01-01": "LOCA0101", "A-01-02": "LOCA0102"}[bin_code])
        assert "scan Blue widget" in reply, reply
        reply = await worker.text(EAN)
        needed = reply.split("? ")[1].split(" needed")[0]
        reply = await worker.text(needed)
    return reply


async def _sms_status(services, body: str) -> str:
    params = {"MessageSid": f"SM{abs(hash(body)) % 10**8}", "AccountSid": "AC1", "From": PHONE, "To": TWILIO_NUMBER, "Body": body}
    token = services.settings.twilio.auth_token.get_secret_value()
    headers = {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC + "/twilio/sms", params)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_http_app(services)), base_url="http://127.0.0.1:8080") as c:
        r = await c.post("/twilio/sms", data=params, headers=headers)
    assert r.status_code == 200
    return r.text


async def _send_sms(services, twilio_server) -> list[str]:
    async with services.uow() as uow:
        rows = (await uow.session.exec(select(Outbox).order_by(Outbox.id))).all()
    clock = Clock(max(r.not_before for r in rows))
    await drain(services.uow, TwilioSmsNotifier(services.settings), now=clock, policy=SendPolicy(), translate=translate)
    return [m.body for m in twilio_server.messages()]


async def test_order_of_50_with_33_on_hand_ships_in_two_parts(services, company, twilio_server):
    boss = Chat(dialogue_for(services), external_id="9001")
    worker = Chat(dialogue_for(services), external_id="9010")
    expected = company["expected"]

    await boss.text("/order acme")
    await boss.text("50 blue widget")
    await boss.press("order_done:")
    await boss.press("order_day:")
    replies = await boss.send(kind="callback", callback="order_ok:confirm")
    text = "\n".join(r.text for r in replies)
    assert "confirmed" in text and "Backorder: 17 \u00d7 WID-001" in text
    assert not [a for r in replies for a in r.attachments]  # billed by delivery: no invoice yet
    async with services.uow() as uow:
        order = (await uow.session.exec(select(SalesOrder))).one()
    number = order.number

    assert "is picked" in await _pick_all(worker, number)
    assert "packed" in await worker.text(f"/pack {number}")
    replies = await worker.send(f"/ship {number}")
    assert "shipped in part" in replies[0].text and "Still owed: 17 \u00d7 WID-001" in replies[0].text
    assert [a.filename[:4] for a in replies[0].attachments] == ["deli", "INV-"]

    [first] = await _send_sms(services, twilio_server)
    assert f"Part of your order {number} is on its way. 17 \u00d7 Blue widget to follow, expected {expected.isoformat()}." == first
    status = await _sms_status(services, number)
    assert "partly shipped" in status and "Blue widget 33/50" in status and "To follow: Blue widget 17" in status
    board = await boss.text(f"/status {number}")
    assert "partly shipped" in board and "Still owed: 17 \u00d7 WID-001" in board

    # 20 arrive on PO-7 and are put away: 17 of them are reserved for the order, which is back on the pick list
    async with services.uow() as uow:
        s = uow.session
        ivan = (await s.exec(select(User).where(User.telegram_id == 9010))).one()
        po = (await s.exec(select(PurchaseOrder))).one()
        await book_receipt(s, [ReceiptInput("WID-001", 20)], ivan, po=po)
        await uow.commit()
    reply = await worker.text("/next")
    assert "Put away" in reply
    async with services.uow() as uow:
        task = (await uow.session.exec(select(WarehouseTask))).one()
        dest = await uow.session.get(Location, task.to_location_id)
    reply = await worker.text(dest.barcode)
    assert f"now on the pick list: {number}" in reply
    async with services.uow() as uow:
        res = (await uow.session.exec(select(StockReservation).where(StockReservation.quantity > 0))).all()
        assert sum(r.quantity for r in res) == 17
    assert f"Order {number}" in str([b.label for row in (await worker.send("/pick"))[0].buttons for b in row])

    assert "is picked" in await _pick_all(worker, number)
    assert "packed" in await worker.text(f"/pack {number}")
    replies = await worker.send(f"/ship {number}")
    assert f"Order {number} shipped." in replies[0].text

    messages = await _send_sms(services, twilio_server)
    assert len(messages) == 2 and messages[1].startswith(f"The rest of your order {number} is on its way")
    async with services.uow() as uow:
        s = uow.session
        order = await s.get(SalesOrder, order.id)
        line = (await s.exec(select(SalesOrderLine))).one()
        invoices = (await s.exec(select(Invoice).order_by(Invoice.id))).all()
        shipments = (await s.exec(select(Shipment))).all()
    assert order.status == "shipped" and line.shipped_qty == 50 and line.backordered == 0
    assert [(i.kind, i.amount) for i in invoices] == [("invoice", Decimal("330.00")), ("invoice", Decimal("170.00"))]
    assert len(shipments) == 2 and all(i.shipment_id for i in invoices)
    assert "shipped" in await _sms_status(services, f"order {number}")


async def test_return_in_the_chat_credits_the_customer(services, company, twilio_server):
    boss = Chat(dialogue_for(services), external_id="9001")
    worker = Chat(dialogue_for(services), external_id="9010")
    await boss.text("/order acme")
    await boss.text("10 blue widget")
    await boss.press("order_done:")
    await boss.press("order_day:")
    await boss.press("order_ok:confirm")
    async with services.uow() as uow:
        number = (await uow.session.exec(select(SalesOrder))).one().number
    await _pick_all(worker, number)
    await worker.text(f"/pack {number}")
    await worker.text(f"/ship {number}")
    assert "Only 10 of WID-001" in await boss.text(f"/return {number} WID-001 11")
    reply = await boss.text(f"/return {number} WID-001 4")
    assert "Credit note CN-" in reply and "40.00 EUR" in reply
    status = await boss.text(f"/status {number}")
    assert "4 returned" in status and "Credit note CN-" in status
    assert "Put away: take 4 pcs of WID-001" in await worker.text("/next")


async def _order(boss: Chat, qty: int, services) -> str:
    await boss.text("/order acme")
    await boss.text(f"{qty} blue widget")
    await boss.press("order_done:")
    await boss.press("order_day:")
    await boss.press("order_ok:confirm")
    async with services.uow() as uow:
        return (await uow.session.exec(select(SalesOrder.number).order_by(SalesOrder.id.desc()))).first()


async def _reserved_for(services, number: str) -> Decimal:
    async with services.uow() as uow:
        order = (await uow.session.exec(select(SalesOrder).where(SalesOrder.number == number))).one()
        return (await uow.session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one().reserved_qty


async def test_the_chat_says_which_waiting_orders_got_the_stock_of_a_cancelled_order_or_a_count(services, company):
    boss = Chat(dialogue_for(services), external_id="9001")
    worker = Chat(dialogue_for(services), external_id="9010")
    first = await _order(boss, 30, services)
    second = await _order(boss, 10, services)  # 3 reserved, 7 wait
    assert await _reserved_for(services, second) == 3
    reply = await boss.text(f"/cancel_order {first}")
    assert f"Order {first} cancelled" in reply and f"now on the pick list: {second}" in reply
    assert await _reserved_for(services, second) == 10

    third = await _order(boss, 30, services)  # 23 left in A-01-01: 23 reserved, 7 wait
    await worker.text("/count A-01-01")
    await worker.text("WID-001")
    await worker.text("45")  # 12 more than the records: a manager approves it
    assert "Finish the count" in await worker.text("done")  # a finish is confirmed first
    assert "manager checks it" in await worker.press("count_done:ok")
    await boss.text("/approvals")
    [approve] = [b for b in boss.buttons() if b.data.endswith(":1")]
    reply = await boss.press(approve.data)
    assert "approved and booked" in reply and f"now on the pick list: {third}" in reply
    assert await _reserved_for(services, third) == 30


async def test_a_transfer_arriving_puts_the_waiting_order_on_the_pick_list(services, company):
    async with services.uow() as uow:
        s = uow.session
        east = Warehouse(code="EAST", name="East")
        s.add(east)
        await s.flush()
        s.add(Location(warehouse_id=east.id, code="E-01", zone="E", aisle="01", level="01", kind="storage"))
        customer = (await s.exec(select(Customer))).one()
        product = (await s.exec(select(Product))).one()
        order = SalesOrder(number="2001", customer_id=customer.id, warehouse_id=east.id, status="confirmed",
                           order_date=date.today())
        s.add(order)
        await s.flush()
        s.add(SalesOrderLine(order_id=order.id, line_no=1, product_id=product.id, quantity=Decimal(5), price=product.price))
        await uow.commit()
    worker = Chat(dialogue_for(services), external_id="9010")
    sent = await worker.text("/transfer EAST A-01-01 WID-001 8")
    transfer = sent.split("Transfer ")[1].split(" ")[0]
    received = await worker.text(f"/transfer_in {transfer} E-01")
    assert "received in EAST" in received and "now on the pick list: 2001" in received
    assert await _reserved_for(services, "2001") == 5


async def test_goods_put_away_while_the_first_part_is_picked_go_to_the_rest_when_it_ships(services, company, twilio_server):
    from domain.inventory.tasks import confirm_task, next_task_for

    boss = Chat(dialogue_for(services), external_id="9001")
    worker = Chat(dialogue_for(services), external_id="9010")
    number = await _order(boss, 50, services)
    assert "Go to bin" in await worker.text(f"/pick {number}")
    async with services.uow() as uow:  # meanwhile the 20 of PO-7 arrive and are put away by someone else
        s = uow.session
        ivan = (await s.exec(select(User).where(User.telegram_id == 9010))).one()
        await book_receipt(s, [ReceiptInput("WID-001", 20)], ivan, po=(await s.exec(select(PurchaseOrder))).one())
        other = User(name="Petar", role=Role.warehouse)
        s.add(other)
        await s.flush()
        offer = await next_task_for(s, other)
        assert (await confirm_task(s, offer.task_id, other, "A-01-02")).served == []  # the order is being picked
        await uow.commit()
    assert "is picked" in await _pick_all(worker, number)
    await worker.text(f"/pack {number}")
    shipped = await worker.text(f"/ship {number}")
    assert "shipped in part" in shipped and "Still owed: 17 \u00d7 WID-001, reserved and on the pick list." in shipped
    [sms] = await _send_sms(services, twilio_server)
    assert sms == f"Part of your order {number} is on its way. 17 \u00d7 Blue widget to follow; we will text you when it ships."
    assert await _reserved_for(services, number) == 17
