"""Customers through the dialogue: the card, creating with duplicate checks, editing, merging, undo."""
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlmodel import select

from domain.models import Contact, Counterparty, Customer, Deal, Interaction, Reminder, SalesOrder

from .conftest import Parsed


async def _customers(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(Customer).order_by(Customer.id))).all()


async def test_card_shows_contacts_deals_orders_interactions_reminders(chat, customers, services, people):
    acme = customers["C0001"]
    async with services.uow() as uow:
        s = uow.session
        s.add(Contact(customer_id=acme.id, name="John Smith", phone="+359888300001", role="owner"))
        s.add(Deal(customer_id=acme.id, owner_id=people["rep"].id, title="Office refit", amount=Decimal("12000"), stage="proposal"))
        s.add(Deal(customer_id=acme.id, owner_id=people["rep"].id, title="Old deal", amount=Decimal("5"), stage="won"))
        s.add(SalesOrder(number="1042", customer_id=acme.id, status="picking", order_date=date(2026, 11, 18)))
        s.add(SalesOrder(number="1001", customer_id=acme.id, status="delivered", order_date=date(2026, 10, 1)))
        for day, note in ((10, "first call"), (12, "second call"), (15, "sent the offer")):
            s.add(Interaction(customer_id=acme.id, user_id=people["rep"].id, channel="call", note=note,
                              occurred_at=datetime(2026, 11, day, 9, tzinfo=timezone.utc)))
        s.add(Reminder(user_id=people["rep"].id, customer_id=acme.id, text="Send the contract", due_at=datetime(2026, 11, 21, 7, tzinfo=timezone.utc)))
        await uow.commit()
    reply = await chat("rep2").text("/customer acme ltd")
    assert reply.startswith("🏢 ACME Ltd. (C0001)")
    assert "John Smith, owner — +359888300001" in reply
    assert "Office refit" in reply and "Old deal" not in reply
    assert "#1042" in reply and "#1001" not in reply
    assert reply.index("first call") < reply.index("second call") < reply.index("sent the offer")
    assert "Send the contract" in reply and "tomorrow 09:00" in reply
    assert len(reply) < 1500


async def test_card_from_intent(chat, customers, nlu):
    nlu.next = Parsed("customer_info", {"customer": "blue ocean"})
    assert "🏢 Blue Ocean Ltd (C0002)" in await chat("rep").text("what's our history with blue ocean?")


async def test_create_customer_normalises_phone_and_undo(chat, customers, services):
    c = chat("rep")
    await c.text("/newcustomer Zeta Print")
    assert "not a phone" not in await c.text("0888 123 456")
    assert "City" in c.last[0].text
    reply = await c.text("Sofia")
    assert "Customer Zeta Print (C0005) created" in reply and "+359888123456" in reply
    new = [x for x in await _customers(services) if x.name == "Zeta Print"][0]
    assert (new.phone, new.city, new.country) == ("+359888123456", "Sofia", "BG")
    assert "Undone" in await c.text("/undo")
    assert "Zeta Print" not in [x.name for x in await _customers(services)]


async def test_bad_phone_is_refused_and_the_step_stays(chat, customers, services):
    c = chat("rep")
    await c.text("/newcustomer Zeta Print")
    assert "valid phone" in await c.text("12") or "phone number" in c.last[0].text
    assert "City" in await c.text("+359 888 123 456")


async def test_duplicate_by_phone_offers_existing_then_merge(chat, customers, services, nlu):
    c = chat("rep")
    nlu.next = Parsed("create_customer", {"customer": "Akme Limited", "phone": "+359888100001"})
    reply = await c.text("add customer Akme Limited, +359 888 100 001")
    assert "already have: ACME Ltd." in reply
    assert any(b.data == f"cc:open:{customers['C0001'].id}" for b in c.buttons())
    assert len(await _customers(services)) == 4
    await c.press("cc:anyway")
    assert "created" in c.last[0].text
    merge = [b for b in c.buttons() if b.data.startswith("cc:mergeask:")]
    assert merge
    await c.press(merge[0].data)
    assert "Merge Akme Limited" in c.last[0].text
    await c.press(merge[0].data.replace("mergeask", "merge"))
    assert "Merged" in c.last[0].text
    dup = [x for x in await _customers(services) if x.name == "Akme Limited"][0]
    assert dup.merged_into_id == customers["C0001"].id


async def test_duplicate_by_similar_name(chat, customers):
    c = chat("rep")
    await c.text("/newcustomer Blue Ocean Ltd.")
    await c.press("cc:skip")
    await c.press("cc:skip")
    assert "already have: Blue Ocean Ltd" in c.last[0].text


async def test_edit_contact_and_legal_entity(chat, customers, services):
    c, acme = chat("rep"), customers["C0001"]
    await c.press(f"cc:field:{acme.id}:phone")
    assert "valid phone" in await c.text("123") or "phone number" in c.last[0].text
    assert "+359888999000" in await c.text("0888 999 000")
    await c.press(f"cc:contact:{acme.id}")
    assert "Contact Anna Smith added (+359888123456)" in await c.text("Anna Smith, 0888123456, purchasing")
    await c.press(f"cc:legal:{acme.id}")
    await c.text("ACME Holding EOOD, BG123456789")
    await c.press(f"cc:legal:{acme.id}")
    await c.text("ACME Retail EOOD")
    async with services.uow() as uow:
        assert len((await uow.session.exec(select(Counterparty).where(Counterparty.customer_id == acme.id))).all()) == 2
        assert (await uow.session.get(Customer, acme.id)).phone == "+359888999000"


async def test_contact_and_legal_entity_typed_with_chinese_commas(chat, customers, services):
    c, acme = chat("rep"), customers["C0001"]
    await c.text("/language zh")
    await c.press(f"cc:contact:{acme.id}")
    assert "已添加联系人 张伟（+359888123456）。" in await c.text("张伟，0888123456，采购")
    await c.press(f"cc:legal:{acme.id}")
    await c.text("艾克米控股有限公司、BG123456789")
    async with services.uow() as uow:
        contact = (await uow.session.exec(select(Contact).where(Contact.name == "张伟"))).one()
        assert (contact.phone, contact.role) == ("+359888123456", "采购")
        entity = (await uow.session.exec(select(Counterparty).where(Counterparty.customer_id == acme.id))).one()
        assert (entity.legal_name, entity.tax_id) == ("艾克米控股有限公司", "BG123456789")
    await c.press(f"cc:open:{acme.id}")
    assert "艾克米控股有限公司（税号 BG123456789）" in c.last[0].text


async def test_merge_command(chat, customers, services, people):
    async with services.uow() as uow:
        uow.session.add(Interaction(customer_id=customers["C0004"].id, user_id=people["rep2"].id, channel="call"))
        await uow.commit()
    c = chat("boss")
    await c.text("/merge")
    assert "Acme Trading" in await c.text("C0004") or "merge" in c.last[0].text.lower()
    await c.text("C0001")
    merge = [b for b in c.buttons() if b.data.startswith("cc:merge:")]
    await c.press(merge[0].data)
    async with services.uow() as uow:
        moved = (await uow.session.exec(select(Interaction))).one()
        assert moved.customer_id == customers["C0001"].id
