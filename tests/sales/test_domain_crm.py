"""Domain rules of the CRM use cases, without the dialogue."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.crm import customers as crm
from domain.crm import deals, interactions, reminders
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.models import Contact, Customer, Deal, Interaction, Reminder, SalesOrder

from .conftest import NOW


@pytest.mark.parametrize("raw,expected", [("0888 123 456", "+359888123456"), ("+359 (888) 123-456", "+359888123456"),
                                          ("00359888123456", "+359888123456"), ("+7 916 123-45-67", "+79161234567"), ("", None)])
def test_phones_become_e164_with_the_company_country_as_default(raw, expected):
    assert crm.normalise_phone(raw, "BG") == expected


@pytest.mark.parametrize("raw", ["12", "hello", "+359 1"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(InvalidInput):
        crm.normalise_phone(raw, "BG")


@pytest.mark.parametrize("query,code", [("acme", "C0001"), ("ACME", "C0001"), ("acne ltd", "C0001"), ("C0002", "C0002"),
                                        ("blue ocen", "C0002"), ("Kate Wilson", "C0003"), ("orbit", "C0003")])
async def test_forgiving_customer_search(services, customers, query, code):
    async with services.uow() as uow:
        chosen = crm.clear_choice(await crm.find_customers(uow.session, query))
    assert chosen is not None and chosen.code == code


async def test_search_by_alias_and_nothing_for_nonsense(services, customers, people):
    async with services.uow() as uow:
        await crm.update_customer(uow.session, people["rep"], customers["C0002"].id, "aliases", "Синий Океан, BOL", country="BG")
        await uow.commit()
    async with services.uow() as uow:
        assert crm.clear_choice(await crm.find_customers(uow.session, "синий океан")).code == "C0002"
        assert await crm.find_customers(uow.session, "xyzzy quux") == []
        assert await crm.find_customers(uow.session, "  ") == []


async def test_create_refuses_duplicates_unless_allowed(services, customers, people):
    async with services.uow() as uow:
        with pytest.raises(Conflict) as err:
            await crm.create_customer(uow.session, people["rep"], name="Someone Else", phone="0888 100 001", country="BG")
        assert err.value.params["ids"] == [customers["C0001"].id]
        with pytest.raises(Conflict):
            await crm.create_customer(uow.session, people["rep"], name="ORBIT OFFICE", country="BG")
        c = await crm.create_customer(uow.session, people["rep"], name="ORBIT OFFICE", country="BG", allow_duplicate=True)
        assert c.code == "C0005" and c.owner_id == people["rep"].id
        with pytest.raises(PermissionDenied):
            await crm.create_customer(uow.session, people["wh"], name="Nope", country="BG")
        with pytest.raises(InvalidInput):
            await crm.create_customer(uow.session, people["rep"], name=" x ", country="BG")


async def test_merge_moves_everything_and_folds_same_phone_contacts(services, customers, people):
    acme, dup = customers["C0001"], customers["C0004"]
    async with services.uow() as uow:
        s = uow.session
        s.add(Contact(customer_id=acme.id, name="John", phone="+359888000111"))
        twin = Contact(customer_id=dup.id, name="John S.", phone="+359888000111")
        other = Contact(customer_id=dup.id, name="Mary", phone="+359888000222")
        s.add_all([twin, other])
        await s.flush()
        s.add(Interaction(customer_id=dup.id, contact_id=twin.id, channel="call"))
        s.add(Deal(customer_id=dup.id, title="t", owner_id=people["rep2"].id))
        s.add(SalesOrder(number="77", customer_id=dup.id))
        s.add(Reminder(user_id=people["rep2"].id, customer_id=dup.id, text="r", due_at=NOW))
        await uow.commit()
    async with services.uow() as uow:
        with pytest.raises(PermissionDenied):  # not the duplicate's owner
            await crm.merge_customers(uow.session, people["rep"], survivor_id=acme.id, duplicate_id=dup.id)
    async with services.uow() as uow:
        await crm.merge_customers(uow.session, people["rep2"], survivor_id=acme.id, duplicate_id=dup.id)
        await uow.commit()
    async with services.uow() as uow:
        s = uow.session
        for model in (Interaction, Deal, SalesOrder, Reminder):
            assert {r.customer_id for r in (await s.exec(select(model))).all()} == {acme.id}
        contacts = (await s.exec(select(Contact).where(Contact.customer_id == acme.id))).all()
        assert sorted(c.name for c in contacts) == ["John", "Mary"]
        interaction = (await s.exec(select(Interaction))).one()
        assert interaction.contact_id == [c.id for c in contacts if c.name == "John"][0]
        survivor, gone = await s.get(Customer, acme.id), await s.get(Customer, dup.id)
        assert gone.merged_into_id == acme.id and "Acme Trading" in survivor.aliases
        assert (await crm.get_customer(s, dup.id)).id == acme.id  # old links lead to the survivor
        assert [m.customer.code for m in await crm.find_customers(s, "acme trading")][:1] == ["C0001"]  # found by alias
        with pytest.raises(InvalidInput):
            await crm.merge_customers(s, people["boss"], survivor_id=acme.id, duplicate_id=acme.id)


async def test_deal_rules(services, customers, people):
    today = date(2026, 11, 20)
    async with services.uow() as uow:
        s, rep = uow.session, people["rep"]
        kw = dict(customer_id=customers["C0001"].id, title="x", default_currency="EUR", today=today, now=NOW)
        for bad in (dict(amount="-1", currency=None), dict(amount="abc", currency=None), dict(amount="5", currency="XXQ"),
                    dict(amount="5", currency=None, expected_close=today - timedelta(days=1)),
                    dict(amount="5", currency=None, probability=140)):
            with pytest.raises(InvalidInput):
                await deals.create_deal(s, rep, **kw, **bad)
        with pytest.raises(NotFound):
            await deals.create_deal(s, rep, **{**kw, "customer_id": 999}, amount=1, currency=None)
        d = await deals.create_deal(s, rep, **kw, amount="1500.5", currency="bgn")
        assert (d.amount, d.currency, d.probability) == (Decimal("1500.50"), "BGN", 10)
        with pytest.raises(InvalidInput):
            await deals.move_deal(s, rep, d.id, "lost", now=NOW)  # no reason
        with pytest.raises(InvalidInput):
            await deals.move_deal(s, rep, d.id, "finished", now=NOW)
        with pytest.raises(Conflict):
            await deals.move_deal(s, rep, d.id, "new", now=NOW)
        with pytest.raises(PermissionDenied):
            await deals.move_deal(s, people["rep2"], d.id, "won", now=NOW)
        first = await deals.move_deal(s, rep, d.id, "proposal", now=NOW)
        await deals.move_deal(s, rep, d.id, "won", now=NOW + timedelta(minutes=1))
        assert d.closed_at is not None and d.probability == 100
        with pytest.raises(Conflict):
            await deals.move_deal(s, rep, d.id, "negotiation", now=NOW)
        with pytest.raises(Conflict):  # only the latest move can be undone
            await deals.undo_stage_change(s, rep, first.id)


async def test_interaction_and_reminder_rules(services, customers, people):
    async with services.uow() as uow:
        s, rep = uow.session, people["rep"]
        with pytest.raises(InvalidInput):
            await interactions.log_interaction(s, rep, customer_id=customers["C0001"].id, channel="pigeon", occurred_at=NOW, now=NOW)
        with pytest.raises(InvalidInput):
            await interactions.log_interaction(s, rep, customer_id=customers["C0001"].id, channel="call",
                                               occurred_at=NOW + timedelta(hours=2), now=NOW)
        with pytest.raises(InvalidInput):  # follow-up in the past: nothing logged either (the caller rolls back)
            await interactions.log_interaction(s, rep, customer_id=customers["C0001"].id, channel="call", occurred_at=NOW, now=NOW,
                                               follow_up_at=NOW - timedelta(days=1))
        with pytest.raises(InvalidInput):
            await reminders.create_reminder(s, rep, text="  ", due_at=NOW + timedelta(hours=1), now=NOW)
        r = await reminders.create_reminder(s, rep, text="x", due_at=NOW + timedelta(hours=1), now=NOW)
        with pytest.raises(PermissionDenied):
            await reminders.complete(s, people["rep2"], r.id, NOW)
        with pytest.raises(InvalidInput):
            await reminders.snooze(s, rep, r.id, NOW - timedelta(minutes=1), NOW)
