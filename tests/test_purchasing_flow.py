"""Buyers in the chat: the purchase order list, marking a phoned order sent, confirming it, cancelling,
a missing mail setup said plainly, and the supplier scorecard as a picture."""
import pytest
from sqlmodel import select

from domain.models import PurchaseOrder, Role, User

from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=65))
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=66))
        await uow.commit()
    return services


async def test_phoned_confirmed_and_cancelled_purchase_orders(services):
    boss = Chat(dialogue_for(services), external_id="65")
    await boss.send("/plan")
    line = next(b.data for b in boss.buttons() if b.data.startswith("plan_line:"))
    assert "Draft purchase orders created" in await boss.press(line)
    async with services.uow() as uow:
        po = (await uow.session.exec(select(PurchaseOrder).where(PurchaseOrder.status == "draft"))).first()
    listing = await boss.text("/po")
    assert "drafts are not on order" in listing and po.number in listing
    shown = await boss.press(f"po_show:{po.id}")
    assert "A draft" in shown
    assert not any(b.data.startswith("po_send:") for b in boss.buttons())  # no SMTP configured: no e-mail button
    assert "E-mail is not set up" in await boss.text(f"/po send {po.number}")
    assert "marked as sent (phoned through)" in await boss.press(f"po_phoned:{po.id}")
    assert "not a date" in await boss.text(f"/po confirm {po.number} someday")
    assert "confirmed by the supplier" in await boss.text(f"/po confirm {po.number} +4")
    async with services.uow() as uow:
        po = await uow.session.get(PurchaseOrder, po.id)
        assert (po.status, po.sent_via) == ("confirmed", "phone") and po.confirmed_date is not None
    assert "cancelled" in await boss.press(f"po_cancel:{po.id}")
    assert "that can't be done now" in await boss.text(f"/po confirm {po.number} +4")
    pdf = await boss.send(f"/po pdf {po.number}")
    assert pdf[0].attachments[0].data[:4] == b"%PDF"


async def test_scorecard_picture_and_warehouse_may_not_buy(services):
    boss = Chat(dialogue_for(services), external_id="65")
    replies = await boss.send("/suppliers")
    assert "Supplier scorecard" in replies[0].text and "NORD" in replies[0].text
    assert replies[0].attachments[0].data[:4] == b"\x89PNG"
    worker = Chat(dialogue_for(services), external_id="66")
    assert "can't do that" in await worker.text("/po")
