"""Providers failing: Twilio's REST API answering 500 and 429 (tests/fakes/twilio_server.py),
Telegram answering 429 with retry_after (tests/fakes/telegram_server.py).

An SMS stays in the outbox, waits out a growing back-off and goes out exactly once; a Telegram
reply held back by a flood limit is delivered after the wait Telegram named, once. (A 429 in the
middle of a mailing and a connection lost after Twilio took the message are in
tests/jobs/test_mailings.py; SIGKILL of `qm run` mid-mailing in tests/jobs/test_e2e_mailing_crash.py.)"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.telegram.application import build_application
from bot.telegram.notifier import TelegramNotifier
from bot.twilio.notifier import TwilioSmsNotifier
from domain import outbox
from domain.models import Outbox
from jobs.outbox_worker import SendPolicy, drain
from tests.fakes.fixtures import TWILIO_NUMBER
from tests.fakes.telegram_server import TelegramServer

from ..dialogue_helpers import dialogue_for
from .conftest import WORKER, add_people, build_services

PHONE = "+359888100001"


class Clock:
    def __init__(self):
        self.now = datetime.now(timezone.utc) + timedelta(seconds=10)  # rows queued a few (loaded) seconds later are due

    def __call__(self):
        return self.now


@pytest.fixture
async def sms_services(engine, database_url, twilio_server):
    s = build_services(engine, database_url, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token,
        "api_base_url": twilio_server.base_url, "from_number": TWILIO_NUMBER})
    s.clock = Clock()
    return s


async def _queue(services, channel: str, recipient: str, body: str) -> int:
    async with services.uow() as uow:
        row = await outbox.enqueue(uow.session, channel=channel, recipient=recipient, body=body)
        await uow.commit()
        return row.id


async def _row(services, row_id: int) -> Outbox:
    async with services.uow() as uow:
        return await uow.session.get(Outbox, row_id)


async def test_sms_waits_out_500s_and_a_429_with_growing_backoff_and_goes_out_once(sms_services, twilio_server):
    services, clock = sms_services, sms_services.clock
    sms = TwilioSmsNotifier(services.settings)
    policy = SendPolicy(limit=10, concurrency=1, retry_base_s=10, max_attempts=6, stale_after=timedelta(minutes=5))
    row_id = await _queue(services, "sms", PHONE, "Your order 1042 has shipped")
    twilio_server.fail_next(500, times=2)
    twilio_server.fail_next(429)
    start = clock.now

    waits = []
    for expected in ("20500", "20500", "20429"):
        result = await drain(services.uow, sms, now=clock, policy=policy)
        assert (result.claimed, result.retried, result.sent) == (1, 1, 0)
        row = await _row(services, row_id)
        assert row.status == "pending" and expected in row.error
        waits.append((row.not_before - clock.now).total_seconds())
        clock.now = row.not_before - timedelta(seconds=1)
        assert not await drain(services.uow, sms, now=clock, policy=policy)  # not before its time
        clock.now = row.not_before
    assert waits == [10, 20, 40]  # base, 2x, 4x

    result = await drain(services.uow, sms, now=clock, policy=policy)
    assert result.sent == 1
    assert [m.to for m in twilio_server.messages()] == [PHONE]  # exactly once
    row = await _row(services, row_id)
    assert (row.status, row.attempts, row.provider_id) == ("sent", 4, twilio_server.messages()[0].sid)
    assert (clock.now - start).total_seconds() == 70
    assert not await drain(services.uow, sms, now=clock, policy=policy)  # nothing left to send


async def test_sms_is_given_up_after_the_configured_attempts(sms_services, twilio_server):
    services, clock = sms_services, sms_services.clock
    sms = TwilioSmsNotifier(services.settings)
    policy = SendPolicy(limit=10, concurrency=1, retry_base_s=1, max_attempts=3)
    row_id = await _queue(services, "sms", PHONE, "hello")
    twilio_server.fail_next(500, times=3)
    for _ in range(3):
        await drain(services.uow, sms, now=clock, policy=policy)
        clock.now += timedelta(seconds=10)
    row = await _row(services, row_id)
    assert row.status == "failed" and "20500" in row.error and twilio_server.messages() == []
    assert not await drain(services.uow, sms, now=clock, policy=policy)


@pytest.fixture
def telegram():
    with TelegramServer() as server:
        yield server


def _ok_sends(server, chat_id):
    return [c for c in server.sent(chat_id=chat_id, method="sendMessage") if c.ok]


async def test_telegram_reply_waits_for_retry_after_and_arrives_once(demo_engine, demo_database_url, telegram):
    services = build_services(demo_engine, demo_database_url, telegram={
        "bot_token": telegram.token, "api_base_url": telegram.base_url, "api_file_url": telegram.base_file_url})
    await add_people(services)
    app = build_application(dialogue_for(services), webhook=False)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        telegram.fail_next("sendMessage", 429, retry_after=2)
        sent_at = time.time()
        telegram.send_text(WORKER, "/stock WID-001")
        [reply] = await telegram.await_for(lambda c: c.ok, chat_id=WORKER, method="sendMessage", timeout=20)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    calls = telegram.sent(chat_id=WORKER, method="sendMessage")
    refused = [c for c in calls if not c.ok]
    assert len(refused) == 1 and refused[0].error["parameters"]["retry_after"] == 2
    assert "on hand" in reply.text and len(_ok_sends(telegram, WORKER)) == 1  # delivered once
    assert reply.at - refused[0].at >= 2 and reply.at - sent_at >= 2  # after the wait Telegram named


async def test_telegram_outbox_row_flood_limited_past_the_bots_retries_comes_back_later(engine, database_url, telegram):
    """The bot retries a 429 itself (AIORateLimiter, max_retries=3). A flood that outlasts that
    reaches the worker as a TemporaryFailure: the row waits at least retry_after and is sent once."""
    services = build_services(engine, database_url)
    services.clock = clock = Clock()
    app = (ApplicationBuilder().token(telegram.token).base_url(telegram.base_url).base_file_url(telegram.base_file_url)
           .rate_limiter(AIORateLimiter(max_retries=1)).build())
    await app.initialize()
    try:
        notifier = TelegramNotifier(app.bot)
        telegram.send_text(555, "hello")  # the person has written to the bot: their chat exists
        policy = SendPolicy(limit=10, concurrency=1, retry_base_s=1)
        row_id = await _queue(services, "telegram", "555", "Reminder: call ACME")
        telegram.fail_next("sendMessage", 429, retry_after=1, times=2)  # the first try and the bot's one retry
        result = await drain(services.uow, notifier, now=clock, policy=policy)
        assert (result.sent, result.retried) == (0, 1)
        row = await _row(services, row_id)
        assert row.status == "pending" and row.error.startswith("TemporaryFailure: Flood control exceeded")
        assert not row.error.startswith(outbox.INTERRUPTED)  # Telegram said no: nothing to reconcile
        assert row.not_before >= clock.now + timedelta(seconds=1)
        clock.now = row.not_before
        assert (await drain(services.uow, notifier, now=clock, policy=policy)).sent == 1
    finally:
        await app.shutdown()
    assert len(_ok_sends(telegram, 555)) == 1
    assert (await _row(services, row_id)).status == "sent"


async def test_twilio_hanging_past_the_timeout_is_looked_up_not_sent_twice(engine, database_url, twilio_server,
                                                                           record_figure):
    """Twilio takes the message but answers after the client's timeout (twilio.timeout_s): the send
    is "maybe sent"; the retry asks Twilio first, finds it and records its sid instead of sending again."""
    import time as _time

    services = build_services(engine, database_url, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token,
        "api_base_url": twilio_server.base_url, "from_number": TWILIO_NUMBER, "timeout_s": 0.5})
    sms = TwilioSmsNotifier(services.settings)
    policy = SendPolicy(limit=10, concurrency=1, retry_base_s=1)
    row_id = await _queue(services, "sms", PHONE, "Your order 1042 is ready")
    services.clock = clock = Clock()  # after queueing: the row is due whatever the machine's load
    twilio_server.hang_next(3.0)
    started = _time.monotonic()
    result = await drain(services.uow, sms, now=clock, policy=policy)
    held_s = _time.monotonic() - started
    assert result.retried == 1 and held_s < 2.5  # the worker did not wait for the hanging answer
    row = await _row(services, row_id)
    assert row.status == "pending" and "uncertain" in row.error and "Timeout" in row.error

    clock.now = row.not_before
    result = await drain(services.uow, sms, now=clock, policy=policy)
    assert result.reconciled == 1 and result.sent == 0
    [message] = twilio_server.messages()  # once
    row = await _row(services, row_id)
    assert (row.status, row.provider_id) == ("sent", message.sid)
    record_figure("Twilio answering after the timeout", held_s=round(held_s, 2), duplicates=0,
                  recovered_after_s=policy.retry_base_s)
