"""The real `qm run`, killed with SIGKILL in the middle of a mailing and started again:
every message reaches Twilio exactly once (the local Twilio server counts), the rows record
Twilio's ids, delivery callbacks are recorded, and the manager gets one summary on Telegram."""
from __future__ import annotations

import signal

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
    env = qm_env(database_url, telegram, **mailing_env(twilio, port, rate=20))
    twilio.crash_after_accept()  # and one answer lost on the way: reconciled, not resent

    first = QmRun(env, tmp_path / "qm-1.log").start()
    twilio.wait_for(count=20, timeout=60)
    first.stop(signal.SIGKILL)  # mid-batch: rows claimed, some taken by Twilio, not recorded
    killed_at = len(twilio.messages())
    assert killed_at < N, "the mailing finished before the kill; nothing was tested"

    with QmRun(env, tmp_path / "qm-2.log"):
        twilio.wait_for(count=N, timeout=60)
        [summary] = telegram.wait_for(lambda c: "is done" in (c.text or ""), chat_id=MANAGER_CHAT,
                                      method="sendMessage", timeout=60)
    await assert_sent_exactly_once(uow_factory, twilio, mailing_id, N)
    assert f"{N} recipients, {N} sent" in summary.text
    # every "delivered" callback the app accepted is on its row
    accepted = {c.params["MessageSid"] for c in twilio.callbacks
                if c.params.get("MessageStatus") == "delivered" and c.response_status == 204}
    async with uow_factory() as uow:
        delivered = set((await uow.session.exec(select(Outbox.provider_id).where(
            Outbox.delivery_status == "delivered"))).all())
    assert accepted and accepted <= delivered
    assert len([c for c in telegram.sent(chat_id=MANAGER_CHAT) if "is done" in (c.text or "")]) == 1
