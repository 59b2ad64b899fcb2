"""Reminders: set by command or intent, listed for today, delivered exactly once with buttons,
and the buttons work."""
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from bot.i18n import translate
from domain.models import Outbox, Reminder
from jobs.outbox_worker import run_once
from jobs.reminders import enqueue_due_reminders

from .conftest import NOW, Parsed
from .fakes import FakeNotifier


async def _reminders(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(Reminder).order_by(Reminder.id))).all()


async def _outbox(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(Outbox).order_by(Outbox.id))).all()


async def test_guided_reminder_with_typed_time(chat, people, services):
    c = chat("rep")
    assert "remind you about" in await c.text("/remind")
    reply = await c.text("call the bank")
    assert "When?" in reply and any(b.data == "rem:at:t9" for b in c.buttons())
    reply = await c.text("tomorrow 15:30")
    assert "I'll remind you tomorrow at 15:30: call the bank" in reply
    [r] = await _reminders(services)
    assert (r.text, r.due_at, r.status) == ("call the bank", datetime(2026, 11, 21, 13, 30, tzinfo=timezone.utc), "pending")


async def test_reminder_button_preset_and_past_time_refused(chat, people, services):
    c = chat("rep")
    await c.text("/remind send price list")
    assert "past" in await c.text("yesterday 10:00")
    assert await _reminders(services) == []
    await c.press("rem:at:t9")
    [r] = await _reminders(services)
    assert r.due_at == datetime(2026, 11, 21, 7, 0, tzinfo=timezone.utc)


async def test_intent_reminder_links_customer_and_undo(chat, customers, services, nlu):
    c = chat("rep")
    nlu.next = Parsed("create_reminder", {"customer": "Acme", "datetime": "2026-11-21T10:00:00+02:00"})
    reply = await c.text("remind me to call Acme tomorrow at 10")
    assert "tomorrow at 10:00" in reply and "call Acme tomorrow at 10" in reply
    [r] = await _reminders(services)
    assert r.customer_id == customers["C0001"].id and r.due_at == datetime(2026, 11, 21, 8, tzinfo=timezone.utc)
    assert "Undone" in await c.text("/undo")
    assert await _reminders(services) == []


async def test_the_time_of_a_reminder_reads_right_in_a_romanian_sentence(chat, customers, services, nlu):
    """«Vă voi aminti {when}»: today and tomorrow with «la ora», a later day with «pe ..., la ora» (not a bare date)."""
    c = chat("rep")
    await c.text("/language ro")
    for when, said in (("2026-11-20T15:00:00+02:00", "vă voi aminti azi la ora 15:00"),
                       ("2026-11-21T10:00:00+02:00", "vă voi aminti mâine la ora 10:00"),
                       ("2026-11-25T09:30:00+02:00", "vă voi aminti pe 25 nov. 2026, la ora 09:30")):
        nlu.next = Parsed("create_reminder", {"customer": "Acme", "datetime": when}, lang="ro")
        assert said in await c.text("aminteşte-mi să sun la Acme"), c.last[0].text


async def test_done_buttons_cut_long_reminders_between_words(chat, people, services):
    async with services.uow() as uow:
        uow.session.add(Reminder(user_id=people["rep"].id, due_at=NOW + timedelta(hours=1),
                                 text="call Acme about the new price list and the delivery plan for March"))
        await uow.commit()
    c = chat("rep")
    await c.text("/today")
    [label] = [b.label for b in c.buttons() if b.data.startswith("rem:done:")]
    assert label == "Done: call Acme about the new price list and the delivery…"


async def test_today_lists_due_and_overdue(chat, people, services, nlu):
    async with services.uow() as uow:
        for text, due in (("overdue one", NOW - timedelta(hours=3)), ("later today", NOW + timedelta(hours=5)),
                          ("next week", NOW + timedelta(days=7))):
            uow.session.add(Reminder(user_id=people["rep"].id, text=text, due_at=due))
        uow.session.add(Reminder(user_id=people["rep2"].id, text="not mine", due_at=NOW))
        await uow.commit()
    c = chat("rep")
    reply = await c.text("/today")
    assert "overdue one" in reply and "later today" in reply
    assert "next week" not in reply and "not mine" not in reply
    nlu.next = Parsed("list_tasks", {"date": "2026-11-20"})
    assert "later today" in await c.text("what's on my list today?")


async def test_due_reminder_is_delivered_exactly_once_with_buttons_that_work(chat, people, customers, services, clock):
    c = chat("rep")
    await c.text("/remind call ACME about the offer")
    await c.press("rem:at:h1")
    tr = translate
    # not yet due
    assert await enqueue_due_reminders(services.uow, now=clock, translate=tr) == 0
    clock.now = NOW + timedelta(hours=1, seconds=5)
    # two scheduler runs (or two schedulers): one outbox row
    assert await enqueue_due_reminders(services.uow, now=clock, translate=tr) == 1
    assert await enqueue_due_reminders(services.uow, now=clock, translate=tr) == 0
    notifier = FakeNotifier()
    assert (await run_once(services.uow, notifier, now=clock)).sent == 1
    assert (await run_once(services.uow, notifier, now=clock)).sent == 0
    [(recipient, body, payload)] = notifier.sent
    assert recipient == "9002" and "call ACME about the offer" in body
    [[done, snooze, tomorrow]] = payload["buttons"]
    assert (done["label"], snooze["label"], tomorrow["label"]) == ("Done", "Snooze 1 h", "Tomorrow")
    [r] = await _reminders(services)
    assert r.status == "sent" and r.sent_at == clock.now
    [row] = await _outbox(services)
    assert (row.status, row.provider_id, row.cause) == ("sent", "m1", f"reminder:{r.id}")

    # Snooze 1 h: due again in an hour, delivered once more then
    await c.press(snooze["data"])
    assert "Snoozed" in c.last[0].text and c.last[0].edit
    [r] = await _reminders(services)
    assert r.status == "pending" and r.due_at == clock.now + timedelta(hours=1)
    clock.now += timedelta(hours=1, minutes=1)
    assert await enqueue_due_reminders(services.uow, now=clock, translate=tr) == 1
    assert (await run_once(services.uow, notifier, now=clock)).sent == 1
    await c.press(tomorrow["data"])
    [r] = await _reminders(services)
    assert r.due_at == datetime(2026, 11, 21, 7, tzinfo=timezone.utc)  # tomorrow 09:00 Sofia
    await c.press(done["data"])
    assert "Done" in c.last[0].text
    [r] = await _reminders(services)
    assert r.status == "done"
    assert "Nothing on your list" in await c.text("/today")


async def test_someone_elses_reminder_button_is_refused(chat, people, services):
    async with services.uow() as uow:
        r = Reminder(user_id=people["rep2"].id, text="Ivan's", due_at=NOW)
        uow.session.add(r)
        await uow.commit()
    assert "someone else's" in await chat("rep").press(f"rem:done:{r.id}")
    assert (await _reminders(services))[0].status == "pending"


async def test_reminder_for_a_person_without_telegram_is_not_queued(services, people, clock):
    from domain.models import User

    async with services.uow() as uow:
        console = User(name="console", role="sales", console_name="console")
        uow.session.add(console)
        await uow.session.flush()
        uow.session.add(Reminder(user_id=console.id, text="x", due_at=NOW))
        await uow.commit()
    assert await enqueue_due_reminders(services.uow, now=clock, translate=translate) == 0
    assert await _outbox(services) == []
    assert (await _reminders(services))[0].status == "sent"


async def test_tomorrow_and_the_week_show_reminders_ahead(chat, people, services, nlu):
    async with services.uow() as uow:
        for text, due in (("overdue one", NOW - timedelta(hours=3)), ("later today", NOW + timedelta(hours=5)),
                          ("tomorrow call", NOW + timedelta(days=1)), ("in three days", NOW + timedelta(days=3)),
                          ("next month", NOW + timedelta(days=30))):
            uow.session.add(Reminder(user_id=people["rep"].id, text=text, due_at=due))
        uow.session.add(Reminder(user_id=people["rep2"].id, text="not mine", due_at=NOW + timedelta(days=1)))
        await uow.commit()
    c = chat("rep")
    for ask in ("/today tomorrow", "/tomorrow"):
        reply = await c.text(ask)
        assert reply.startswith("Your list for tomorrow") and "tomorrow call" in reply
        assert "later today" not in reply and "not mine" not in reply and "in three days" not in reply
    week = await c.text("/week")
    assert [w for w in ("overdue one", "later today", "tomorrow call", "in three days") if w in week] == [
        "overdue one", "later today", "tomorrow call", "in three days"]
    assert "next month" not in week and "not mine" not in week
    assert week == await c.text("/today week")
    nlu.next = Parsed("list_tasks", {"date": (NOW + timedelta(days=1)).date().isoformat()})
    reply = await c.text("what's on my list tomorrow?")
    assert "tomorrow call" in reply and "later today" not in reply
