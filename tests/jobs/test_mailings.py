"""Mailings: who gets one, the preview, queueing once, sending through the real Twilio client
against the local Twilio server (opt-outs, 429, a dropped connection), and the summary."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.i18n import translate
from domain import mailings, sms_consent
from domain.crm.groups import group_by_name
from domain.errors import Conflict, InvalidInput, PermissionDenied
from domain.models import AuditEntry, Mailing, Outbox
from jobs.mailings import finish_mailings_job
from jobs.outbox_worker import SendPolicy, drain
from tests.sales.conftest import FakeNLU, Parsed

from .conftest import NOW

POLICY = SendPolicy(limit=10, concurrency=1, retry_base_s=1, stale_after=timedelta(seconds=30))


async def _queue(services, people, body="Hi {first_name}, spring sale at {company}!", **kw):
    async with services.uow() as uow:
        boss = await uow.session.get(type(people["boss"]), people["boss"].id)
        m, _ = await mailings.draft_mailing(uow.session, boss, "VIP", body, today=NOW.date(), default_tz="Europe/Sofia")
        m = await mailings.queue_mailing(uow.session, boss, m.id, now=NOW, today=NOW.date(), default_tz="Europe/Sofia", **kw)
        await uow.commit()
    return m


async def _rows(services, mailing_id):
    async with services.uow() as uow:
        return list((await uow.session.exec(select(Outbox).where(Outbox.cause == f"mailing:{mailing_id}")
                                            .order_by(Outbox.id))).all())


async def test_audience_takes_consented_numbers_once_and_says_who_is_left_out(services, vip):
    async with services.uow() as uow:
        aud = await mailings.audience(uow.session, await group_by_name(uow.session, "VIP"), today=NOW.date(),
                                      default_tz="Europe/Sofia")
    got = {r.phone: (r.first_name, r.company, r.timezone) for r in aud.recipients}
    assert got == {"+359888100001": ("Ivan", "ACME Ltd", "Europe/Sofia"),
                   "+359888200001": ("Anna", "ACME Ltd", "Europe/Sofia"),
                   "+359888200003": ("Kate", "Orbit OOD", "Europe/Sofia"),
                   "+12125550105": ("", "Echo Inc", "America/New_York")}
    assert aud.excluded == Counter(opted_out=1, no_consent=1, no_phone=1, duplicate=1)
    assert mailings.personalise("Hi {first_name} ({company})", aud.recipients[0]) == "Hi Ivan (ACME Ltd)"


@pytest.mark.parametrize("body,error", [("", "empty"), ("Hi {name}", "Unknown field {name}"), ("Hi {", "Braces"),
                                        ("x" * 1601, "too long")])
def test_bad_templates_are_refused(body, error):
    with pytest.raises(InvalidInput, match=error.replace("{", r"\{")):
        mailings.check_template(body)


async def test_queueing_writes_every_row_once_and_defers_quiet_hours(services, people, vip):
    m = await _queue(services, people, quiet="21:00-09:00")
    rows = await _rows(services, m.id)
    assert m.status == "queued" and m.recipients == 4 and len(rows) == 4
    by_phone = {r.recipient: r for r in rows}
    assert by_phone["+359888100001"].body == "Hi Ivan, spring sale at ACME Ltd!"
    assert by_phone["+359888100001"].not_before == NOW  # 12:00 in Sofia
    assert by_phone["+12125550105"].not_before == NOW.replace(hour=14)  # 05:00 in New York -> 09:00 there
    assert all(r.priority < 0 for r in rows)
    async with services.uow() as uow:  # queued by a bulk statement, still in the audit log
        log = (await uow.session.exec(select(AuditEntry).where(AuditEntry.entity == "mailing", AuditEntry.action == "changed")
                                      .order_by(AuditEntry.id))).all()
    assert {"status": "queued", "send_at": None} in [e.after for e in log] and {"status": "draft"} in [e.before for e in log]
    async with services.uow() as uow:  # a second click, or a second process
        with pytest.raises(Conflict):
            await mailings.queue_mailing(uow.session, people["boss"], m.id, now=NOW, today=NOW.date(),
                                         default_tz="Europe/Sofia")
    assert len(await _rows(services, m.id)) == 4
    async with services.uow() as uow:
        with pytest.raises(PermissionDenied):
            await mailings.draft_mailing(uow.session, people["rep"], "VIP", "hi", today=NOW.date(), default_tz="UTC")


async def test_mailing_goes_out_once_through_twilio_despite_faults(services, people, vip, sms, twilio_server, clock):
    m = await _queue(services, people)
    async with services.uow() as uow:  # Anna opts out after the mailing was queued
        await sms_consent.opt_out(uow.session, "+359888200001", "STOP")
        await uow.commit()
    twilio_server.opt_out("+359888200003")  # Kate unsubscribed at Twilio: 21610
    twilio_server.fail_next(429)  # the first request is rate-limited
    twilio_server.crash_after_accept()  # then Twilio takes a message and the answer is lost

    first = await drain(services.uow, sms, now=clock, policy=POLICY)  # Ivan: 429; Anna: held; Kate: 21610
    assert (first.claimed, first.sent, first.retried, first.failed, first.held) == (3, 0, 1, 1, 1)
    clock.now += timedelta(seconds=5)
    second = await drain(services.uow, sms, now=clock, policy=POLICY)  # Ivan again: taken, connection dropped
    assert (second.sent, second.retried) == (0, 1)
    clock.now += timedelta(seconds=5)
    third = await drain(services.uow, sms, now=clock, policy=POLICY)
    assert (third.reconciled, third.sent) == (1, 0)  # found at Twilio and adopted, not sent again
    clock.now = NOW.replace(hour=14, minute=1)  # morning in New York
    await drain(services.uow, sms, now=clock, policy=POLICY)

    per_phone = Counter(msg.to for msg in twilio_server.messages())
    assert per_phone == {"+359888100001": 1, "+12125550105": 1}
    rows = {r.recipient: r for r in await _rows(services, m.id)}
    assert {p: r.status for p, r in rows.items()} == {"+359888100001": "sent", "+12125550105": "sent",
                                                      "+359888200001": "skipped", "+359888200003": "failed"}
    sids = {msg.to: msg.sid for msg in twilio_server.messages()}
    assert rows["+359888100001"].provider_id == sids["+359888100001"]
    assert rows["+12125550105"].body == "Hi , spring sale at Echo Inc!"
    async with services.uow() as uow:  # Twilio's 21610 is remembered for the next mailing
        assert await sms_consent.is_opted_out(uow.session, "+359888200003")

    async with services.uow() as uow:
        row = await uow.session.get(Outbox, rows["+359888100001"].id)
        row.delivery_status = "delivered"  # as the status callback records it
        await uow.commit()
    clock.now += timedelta(minutes=11)
    assert await finish_mailings_job(services.uow, now=clock(), translate=translate, settle_after=timedelta(minutes=10)) == 1
    assert await finish_mailings_job(services.uow, now=clock(), translate=translate, settle_after=timedelta(minutes=10)) == 0
    async with services.uow() as uow:
        [summary] = (await uow.session.exec(select(Outbox).where(Outbox.cause == f"mailing-summary:{m.id}"))).all()
        assert (await uow.session.get(Mailing, m.id)).status == "done"
    assert summary.channel == "telegram" and summary.recipient == "9001"
    assert "4 recipients, 2 sent, 1 delivered, 0 failed, 3 opted out" in summary.body  # Blue Ocean, Anna, Kate


async def test_summary_waits_for_unsent_rows_and_delivery_reports(services, people, vip, clock):
    m = await _queue(services, people)
    assert await finish_mailings_job(services.uow, now=clock(), translate=translate, settle_after=timedelta(0)) == 0
    async with services.uow() as uow:
        stopped = (await mailings.cancel_mailing(uow.session, people["boss"], m.id, now=clock()))[1]
        await uow.commit()
    assert stopped == 4
    assert await finish_mailings_job(services.uow, now=clock(), translate=translate, settle_after=timedelta(0)) == 0


async def test_manager_composes_previews_and_sends_in_the_chat(services, people, vip, chat):
    boss = chat("boss")
    text = await boss.text("/mailing VIP | Hi {first_name}, spring sale at {company}!")
    assert "4 recipients" in text and "1 opted out" in text and "Hi Ivan, spring sale at ACME Ltd!" in text
    send = next(b.data for b in boss.buttons() if b.data.startswith("ml:send:"))
    assert "Sending SMS mailing" in await boss.press(send)
    assert "already sent" in await boss.press(send)
    mailing_id = int(send.rsplit(":", 1)[1])
    assert len(await _rows(services, mailing_id)) == 4
    assert "4 recipients, 0 sent" in await boss.text(f"/mailing status {mailing_id}")
    assert "No mailing 99999999999999999999" in await boss.text("/mailing status 99999999999999999999")
    assert "can't" in await chat("rep").text("/mailing VIP | hello")


async def test_send_mailing_intent_finds_the_group_then_asks_for_the_text(services, people, vip, chat):
    nlu = FakeNLU()
    services.parse = nlu
    boss = chat("boss")
    nlu.next = Parsed("send_mailing", {})
    assert "What should the SMS to VIP say" in await boss.text("text all VIP customers about the spring sale")
    text = await boss.text("Spring sale: -20% this week, {company}!")
    assert "4 recipients" in text and "-20% this week, ACME Ltd!" in text
    nlu.next = Parsed("send_mailing", {})
    assert "Which group" in await boss.text("text everybody about the sale")
