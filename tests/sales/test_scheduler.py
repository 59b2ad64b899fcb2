"""The scheduler `qm run` starts, and the Telegram notifier's translation of outbox rows."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.i18n import translate
from bot.telegram.notifier import TelegramNotifier
from domain.models import Outbox, Reminder
from domain.outbox import PermanentFailure
from jobs.scheduler import Scheduling

from .conftest import NOW
from .fakes import FakeNotifier


async def test_scheduler_jobs_queue_and_send_a_due_reminder(services, people, clock):
    async with services.uow() as uow:
        uow.session.add(Reminder(user_id=people["rep"].id, text="call Acme", due_at=NOW - timedelta(seconds=1)))
        await uow.commit()
    notifier = FakeNotifier()
    scheduling = Scheduling(services, [notifier], translate)
    scheduler = scheduling.scheduler
    # paused: nothing fires on its own, so no job is left mid-transaction when the test's loop closes
    # (a job cancelled at teardown while the test's own call held SQLite's write lock could hang the run)
    scheduler.start(paused=True)
    try:
        lease = scheduler.get_job("lease")  # PostgreSQL: timed jobs come with the advisory-lock lease
        if lease is not None:
            await lease.func()
        assert {"reminders", "outbox-telegram"} <= {j.id for j in scheduler.get_jobs()}
        # run the jobs' bodies directly (no waiting on the clock in tests)
        await scheduler.get_job("reminders").func()
        await scheduler.get_job("outbox-telegram").func()
        await scheduler.get_job("reminders").func()
        await scheduler.get_job("outbox-telegram").func()
    finally:
        await scheduling.shutdown()  # gives the lease's connection back (it was left to the GC before)
    assert [(to, body.startswith("⏰")) for to, body, _ in notifier.sent] == [("9002", True)]
    async with services.uow() as uow:
        assert [r.status for r in (await uow.session.exec(select(Outbox))).all()] == ["sent"]


class FakeBot:
    def __init__(self, error=None):
        self.calls, self.error = [], error

    async def send_message(self, chat_id, text, reply_markup=None):
        if self.error:
            raise self.error
        self.calls.append((chat_id, text, reply_markup))
        return SimpleNamespace(message_id=321)


async def test_telegram_notifier_sends_buttons_and_returns_the_message_id():
    bot = FakeBot()
    pid = await TelegramNotifier(bot).send("42", "hi", {"buttons": [[{"label": "Done", "data": "rem:done:1"}]]})
    assert pid == "321"
    [(chat_id, text, markup)] = bot.calls
    assert chat_id == 42 and isinstance(markup, InlineKeyboardMarkup)
    assert markup.inline_keyboard[0][0].callback_data == "rem:done:1"
    assert await TelegramNotifier(bot).lookup(None) is None


@pytest.mark.parametrize("error,permanent", [(Forbidden("bot was blocked by the user"), True), (BadRequest("Chat not found"), True),
                                             (NetworkError("timed out"), False)])
async def test_telegram_notifier_tells_permanent_from_transient(error, permanent):
    with pytest.raises(PermanentFailure if permanent else NetworkError):
        await TelegramNotifier(FakeBot(error)).send("42", "hi", None)
