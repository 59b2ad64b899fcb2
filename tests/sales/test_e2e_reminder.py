"""End to end: `qm run` as a process, the real python-telegram-bot, the local Bot API
server. A rep's due reminder arrives once, with its buttons; pressing Done closes it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from domain.models import Outbox, Reminder, User, utcnow
from storage.engine import create_engine, session_factory

from ..fakes.telegram_server import TelegramServer
from ..qm_process import TOKEN, QmRun, qm, qm_env


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


async def test_reminder_arrives_once_and_done_closes_it(telegram, database_url, tmp_path):
    env = qm_env(database_url, telegram, QM_JOBS__REMINDERS_EVERY_S="1", QM_JOBS__OUTBOX_EVERY_S="1")
    code = qm(["invite", "--role", "sales"], env).stdout.splitlines()[0]
    engine = create_engine(database_url)
    try:
        with QmRun(env, tmp_path / "qm.log"):
            telegram.send_text(6001, f"/start {code}", first_name="Maria")
            await telegram.await_for(chat_id=6001, method="sendMessage", timeout=60)
            async with session_factory(engine)() as s:
                user = (await s.exec(select(User).where(User.telegram_id == 6001))).one()
                s.add(Reminder(user_id=user.id, text="Call ACME about the offer", due_at=utcnow() + timedelta(seconds=1)))
                await s.commit()
            [call] = await telegram.await_for(lambda c: "Call ACME about the offer" in (c.text or ""), chat_id=6001,
                                              method="sendMessage", timeout=60)
            buttons = [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
            assert [b.split(":")[1] for b in buttons] == ["done", "snooze", "tomorrow"]
            telegram.press_button(6001, call, buttons[0])
            [edit] = await telegram.await_for(chat_id=6001, method="editMessageText", timeout=60)
            assert "Done" in edit.text
            # the scheduler kept running meanwhile: still exactly one delivery
            assert len([c for c in telegram.sent(chat_id=6001, method="sendMessage") if "Call ACME" in (c.text or "")]) == 1
        async with session_factory(engine)() as s:
            reminder = (await s.exec(select(Reminder))).one()
            row = (await s.exec(select(Outbox).where(Outbox.cause == f"reminder:{reminder.id}"))).one()
        assert reminder.status == "done"
        assert (row.status, row.provider_id) == ("sent", str(call.result["message_id"]))
    finally:
        await engine.dispose()
