"""Deals through the dialogue: create, move through the stages, lost with a reason, ownership, undo."""
from datetime import date
from decimal import Decimal

from sqlmodel import select

from domain.models import Deal, DealStageChange

from .conftest import Parsed


async def _deals(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(Deal).order_by(Deal.id))).all()


async def _changes(services):
    async with services.uow() as uow:
        return [(c.from_stage, c.to_stage) for c in (await uow.session.exec(select(DealStageChange).order_by(DealStageChange.id))).all()]


async def test_guided_deal_then_stages_then_lost_with_reason(chat, customers, services):
    c = chat("rep")
    assert "how much" in await c.text("/newdeal acme ltd")
    assert "negative" in await c.text("-500")
    assert "Expected to close" in await c.text("20k usd")
    assert "past" in await c.text("01.01.2020")
    await c.press("deal:close:2026-12-31")
    assert "New deal: Deal with ACME Ltd." in c.last[0].text
    [d] = await _deals(services)
    assert (d.amount, d.currency, d.expected_close, d.stage, d.owner_id) == (Decimal("20000"), "USD", date(2026, 12, 31), "new", d.owner_id)
    await c.press(f"deal:mv:{d.id}:qualified")
    await c.press(f"deal:mv:{d.id}:proposal")
    assert "proposal" in c.last[0].text
    await c.press(f"deal:mv:{d.id}:lost")
    assert "Why was it lost" in c.last[0].text
    assert (await _deals(services))[0].stage == "proposal"
    await c.text("went with a cheaper supplier")
    [d] = await _deals(services)
    assert (d.stage, d.lost_reason) == ("lost", "went with a cheaper supplier")
    assert await _changes(services) == [(None, "new"), ("new", "qualified"), ("qualified", "proposal"), ("proposal", "lost")]
    assert "back at proposal" in await c.text("/undo")
    [d] = await _deals(services)
    assert (d.stage, d.lost_reason, d.closed_at) == ("proposal", None, None)


async def test_intent_create_and_update_deal(chat, customers, services, nlu):
    c = chat("rep")
    nlu.next = Parsed("create_deal", {"customer": "Orbit", "quantity": 200, "product": "chairs", "amount": 20000, "currency": "EUR"})
    reply = await c.text("new deal with Orbit, 200 chairs, 20k EUR")
    assert "Expected to close" in reply
    await c.press("deal:close:-")
    [d] = await _deals(services)
    assert (d.title, d.amount, d.expected_close) == ("200 chairs", Decimal("20000"), None)
    nlu.next = Parsed("update_deal", {"customer": "Orbit", "stage": "negotiation"})
    assert "negotiation" in await c.text("move the Orbit deal to negotiation")
    nlu.next = Parsed("update_deal", {"customer": "Orbit", "stage": "lost", "lost_reason": "price too high"})
    await c.text("Orbit deal lost, price too high")
    [d] = await _deals(services)
    assert (d.stage, d.lost_reason) == ("lost", "price too high")


async def test_lost_reason_button(chat, customers, services):
    c = chat("rep")
    await c.text("/newdeal C0003")
    await c.text("1500")
    await c.press("deal:close:-")
    [d] = await _deals(services)
    await c.press(f"deal:mv:{d.id}:lost")
    await c.press(f"deal:lost:{d.id}:1")
    assert (await _deals(services))[0].lost_reason == "chose a competitor"


async def test_rep_cannot_move_someone_elses_deal_manager_can(chat, customers, services, people):
    async with services.uow() as uow:
        d = Deal(customer_id=customers["C0002"].id, owner_id=people["rep2"].id, title="Ivan's deal", amount=Decimal(100))
        uow.session.add(d)
        await uow.commit()
    assert "belongs to someone else" in await chat("rep").press(f"deal:mv:{d.id}:won")
    assert (await _deals(services))[0].stage == "new"
    await chat("boss").press(f"deal:mv:{d.id}:won")
    assert (await _deals(services))[0].stage == "won"


async def test_deals_list_shows_own_open_deals(chat, customers, services, people):
    async with services.uow() as uow:
        uow.session.add(Deal(customer_id=customers["C0001"].id, owner_id=people["rep"].id, title="Mine", amount=Decimal(100)))
        uow.session.add(Deal(customer_id=customers["C0002"].id, owner_id=people["rep2"].id, title="Theirs", amount=Decimal(100)))
        await uow.commit()
    reply = await chat("rep").text("/deals")
    assert "Mine" in reply and "Theirs" not in reply
    reply = await chat("boss").text("/deals")
    assert "Mine" in reply and "Theirs" in reply
