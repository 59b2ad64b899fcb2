"""Three `qm run` processes on one PostgreSQL database: all send the mailing, one holds the
scheduler lease. SIGKILL the holder mid-mailing: another process takes the lease (and with it
the summary job), and every message still goes out exactly once."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.fakes.fixtures import TWILIO_NUMBER
from tests.fakes.telegram_server import TelegramServer
from tests.fakes.twilio_server import TwilioServer
from tests.qm_process import TOKEN, QmRun, free_port, qm_env

from .e2e_helpers import MANAGER_CHAT, assert_sent_exactly_once, mailing_env, queue_mailing_for

pytestmark = pytest.mark.skipif(os.environ.get("QM_TEST_DB") != "postgres", reason="scale-out needs PostgreSQL")
N = 90
LEADS = "now runs the scheduled jobs"


def _wait_log(procs, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in procs if text in p.log()]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no process logged {text!r}")


async def test_three_processes_lose_the_scheduler_holder_and_nothing_is_lost_or_doubled(database_url, uow_factory, tmp_path):
    with TelegramServer(token=TOKEN) as telegram, TwilioServer(numbers=[TWILIO_NUMBER], delivery_delay=0.1) as twilio:
        ports = [free_port() for _ in range(3)]
        procs = []
        try:
            for i, port in enumerate(ports):
                # callbacks go to the last process (a load balancer would spread them)
                env = qm_env(database_url, telegram, **mailing_env(twilio, port, rate=15, QM_PUBLIC_URL=f"http://127.0.0.1:{ports[-1]}"))
                procs.append(QmRun(env, tmp_path / f"qm-{i}.log").start())
                if i == 0:
                    _wait_log(procs, LEADS, 20)
            [holder] = _wait_log(procs, LEADS, 1)
            mailing_id = await queue_mailing_for(uow_factory, N)  # all three are up: they share the work
            others = [p for p in procs if p is not holder]
            twilio.wait_for(count=30, timeout=60)
            holder.stop(signal.SIGKILL)
            assert len(twilio.messages()) < N, "the mailing finished before the kill; nothing was tested"
            [successor] = _wait_log(others, LEADS, 30)
            twilio.wait_for(count=N, timeout=90)
            [summary] = telegram.wait_for(lambda c: "is done" in (c.text or ""), chat_id=MANAGER_CHAT,
                                          method="sendMessage", timeout=60)
            time.sleep(1.5)  # a second summary, if there were one, would come within a mailings_every_s
        finally:
            for p in procs:
                p.stop()
        await assert_sent_exactly_once(uow_factory, twilio, mailing_id, N)
        assert f"{N} recipients, {N} sent" in summary.text
        assert len([c for c in telegram.sent(chat_id=MANAGER_CHAT) if "is done" in (c.text or "")]) == 1
        senders = [p for p in others if "outbox-sms: " in p.log()]
        assert successor in others and len(senders) >= 1
