"""The real `qm run`, killed with SIGKILL in the middle of a mailing and started again:
every message reaches Twilio exactly once (the local Twilio server counts), the rows record
Twilio's ids, delivery callbacks are recorded, and the manager gets one summary on Telegram.

The outbox's stale timeout is left at its default (300 s): the sends the killed process had
claimed are taken over because its heartbeat stopped (jobs/heartbeat.py) — at once, as the
new process starts on the same host — so the mailing ends within seconds of the restart.
(1,000 recipients: `python -m bench.jobs.crash`.)"""
from __future__ import annotations

import signal
import time

import pytest
from sqlmodel import select

from domain.models import Outbox
from tests.fakes.fixtures import TWILIO_NUMBER
from tests.fakes.telegram_server import TelegramServer
from tests.fakes.twilio_server import TwilioServer
from tests.qm_process import TOKEN, QmRun, free_port, qm_env

from .e2e_helpers import MANAGER_CHAT, assert_sent_exactly_once, mailing_env, queue_mailing_for

N = 60


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def twilio():
    with TwilioServer(numbers=[TWILIO_NUMBER], delivery_delay=0.1) as server:
        yield server


async def test_sigkill_in_the_middle_of_a_mailing_sends_each_message_once(telegram, twilio, database_url, uow_factory,
                                                                          tmp_path):
    mailing_id = await queue_mailing_for(uow_factory, N)
    port = free_port()
    env = qm_env(database_url, telegram, **mailing_env(twilio, port, rate=20, QM_JOBS__OUTBOX_STALE_AFTER_S="300"))
    twilio.crash_after_accept()  # and one answer lost on the way: reconciled, not resent

    first = QmRun(env, tmp_path / "qm-1.log").start(wait=False)
    twilio.wait_for(count=20, timeout=60)
    first.stop(signal.SIGKILL)  # mid-batch: rows claimed, some taken by Twilio, not recorded
    killed_at = len(twilio.messages())
    assert killed_at < N, "the mailing finished before the kill; nothing was tested"

    restarted = time.monotonic()
    second = QmRun(env, tmp_path / "qm-2.log").start(wait=False)
    try:
        twilio.wait_for(count=N, timeout=60)
        recovered_s = time.monotonic() - restarted
        assert "reconciled now" in second.log()  # the claims were taken because the process was gone
        [summary] = telegram.wait_for(lambda c: "is done" in (c.text or ""), chat_id=MANAGER_CHAT,
                                      method="sendMessage", timeout=60)
    finally:
        second.stop()
    await assert_sent_exactly_once(uow_factory, twilio, mailing_id, N)
    # start-up (10-30 s on the loaded 2-core machine) plus the rest of the mailing at 20/s; waiting
    # for the stale timeout instead would take 300 s from the claim
    assert recovered_s < 90, recovered_s
    print(f"SIGKILL mid-mailing: all {N} sent {recovered_s:.1f} s after the restart")
    assert f"{N} recipients, {N} sent" in summary.text
    # every "delivered" callback the app accepted is on its row
    accepted = {c.params["MessageSid"] for c in twilio.callbacks
                if c.params.get("MessageStatus") == "delivered" and c.response_status == 204}
    async with uow_factory() as uow:
        delivered = set((await uow.session.exec(select(Outbox.provider_id).where(
            Outbox.delivery_status == "delivered"))).all())
    assert accepted and accepted <= delivered
    assert len([c for c in telegram.sent(chat_id=MANAGER_CHAT) if "is done" in (c.text or "")]) == 1
