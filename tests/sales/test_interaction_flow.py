"""Logging interactions through the dialogue: slash command with buttons, and the intent."""
from sqlmodel import select

from domain.models import Customer, Interaction, Reminder

from .conftest import Parsed


async def _all(services, model):
    async with services.uow() as uow:
        return (await uow.session.exec(select(model))).all()


async def test_guided_log_with_buttons(chat, customers, services):
    c = chat("rep")
    reply = await c.text("/log")
    assert "Which customer" in reply
    reply = await c.text("acme ltd")
    assert "ACME Ltd.: what was it?" in reply
    await c.press("log:kind:call_in")
    assert "How did it go" in c.last[0].text
    await c.press("log:out:0")  # interested
    assert "notes" in c.last[0].text
    reply = await c.text("wants 50 chairs")
    assert "Logged: call (incoming) with ACME Ltd." in reply and "Interested" in reply and "wants 50 chairs" in reply
    [i] = await _all(services, Interaction)
    assert (i.customer_id, i.channel, i.direction, i.outcome, i.note) == (customers["C0001"].id, "call", "in", "interested", "wants 50 chairs")
    # the follow-up button makes a reminder at 10:00 local in 3 days
    await c.press(f"log:fu:{i.id}:3")
    [r] = await _all(services, Reminder)
    assert r.interaction_id == i.id and r.due_at.isoformat() == "2026-11-23T08:00:00+00:00"


async def test_typo_and_contact_name_find_the_customer(chat, customers, services):
    c = chat("rep")
    assert "Orbit Office OOD: what was it?" in await c.text("/log orbti ofice")
    c2 = chat("rep2")
    assert "Orbit Office OOD: what was it?" in await c2.text("/log Kate Wilson")


async def test_ambiguous_name_offers_buttons_then_continues(chat, customers, services):
    c = chat("rep")
    reply = await c.text("/log acm")
    assert "Which one" in reply
    labels = [b.label for b in c.buttons()]
    assert any("ACME Ltd." in x for x in labels) and any("Acme Trading" in x for x in labels)
    await c.press(f"cust:log:{customers['C0004'].id}")
    assert "Acme Trading: what was it?" in c.last[0].text


async def test_unknown_customer_offers_creation(chat, customers, services):
    c = chat("rep")
    reply = await c.text("/log Zebra Systems")
    assert "don't know a customer" in reply
    await c.press("cust:log:new")
    assert "Zebra Systems" in c.last[0].text
    names = [x.name for x in await _all(services, Customer)]
    assert "Zebra Systems" in names


async def test_intent_logs_at_once_with_follow_up(chat, customers, services, nlu):
    c = chat("rep")
    nlu.next = Parsed("log_interaction", {"customer": "Acme Ltd", "channel": "call", "date": "2026-11-27",
                                          "note": "they want 50 chairs"})
    reply = await c.text("called Acme, they want 50 chairs, call back Friday")
    assert "Logged: call (outgoing) with ACME Ltd." in reply and "remind you" in reply
    [i] = await _all(services, Interaction)
    [r] = await _all(services, Reminder)
    assert i.note == "they want 50 chairs"
    assert r.interaction_id == i.id and r.due_at.isoformat() == "2026-11-27T08:00:00+00:00"  # 10:00 Sofia
    # undo takes both back
    assert "Undone" in await c.text("/undo")
    assert await _all(services, Interaction) == [] and await _all(services, Reminder) == []
    assert "nothing to undo" in await c.text("/undo")


async def test_intent_with_unknown_customer_changes_nothing_until_chosen(chat, customers, services, nlu):
    c = chat("rep")
    nlu.next = Parsed("log_interaction", {"customer": "Qwerty Foods", "channel": "meeting"})
    reply = await c.text("met Qwerty Foods today")
    assert "don't know a customer" in reply
    assert await _all(services, Interaction) == []
    await c.press("cancel:")
    assert await _all(services, Interaction) == []


async def test_warehouse_cannot_log(chat, customers, services):
    c = chat("wh")
    assert "can't do that" in await c.text("/log acme")


async def test_the_day_it_happened_is_no_follow_up(chat, customers, services, nlu, clock):
    """"met Acme today" said after 10:00: the date is when it happened; it was once taken for a
    follow-up at 10:00 today, already past, and the whole message was refused."""
    from datetime import timedelta

    clock.now += timedelta(hours=5)  # 15:00 in Sofia
    c = chat("rep")
    nlu.next = Parsed("log_interaction", {"customer": "Acme Ltd", "channel": "meeting", "date": "2026-11-20",
                                          "note": "they liked the offer"})
    reply = await c.text("met Acme today, they liked the offer")
    [i] = await _all(services, Interaction)
    assert (i.channel, i.note) == ("meeting", "they liked the offer")
    assert await _all(services, Reminder) == [] and "Logged: meeting" in reply
    assert any(b.data.startswith(f"log:fu:{i.id}:") for b in c.buttons())  # a follow-up is one tap away
