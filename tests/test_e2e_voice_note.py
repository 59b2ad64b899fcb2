"""End to end: a Telegram voice note through the real `qm run` process and the
local Bot API server: "I heard: …" with Confirm / Edit / Cancel, nothing
recorded before Confirm, the reminder recorded after it."""
from __future__ import annotations

import pytest
from sqlmodel import select

from domain.models import Reminder
from storage.engine import create_engine, session_factory

from .fakes.telegram_server import TelegramServer
from .qm_process import TOKEN, QmRun, qm, qm_env
from .speech.conftest import needs_espeak, voice_note


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


async def _reminders(engine) -> list[Reminder]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(Reminder))).all())


@needs_espeak
async def test_voice_note_is_shown_then_recorded_on_confirm(telegram, database_url, tmp_path):
    env = qm_env(database_url, telegram)
    code = qm(["invite", "--role", "sales"], env).stdout.splitlines()[0]
    engine = create_engine(database_url)
    try:
        with QmRun(env, tmp_path / "qm.log"):
            telegram.send_text(6101, f"/start {code}", first_name="Maria")
            await telegram.await_for(chat_id=6101, method="sendMessage", timeout=60)
            telegram.send_voice(6101, voice_note("remind me to call the printer people tomorrow at ten"), duration=3)
            [heard] = await telegram.await_for(lambda c: "I heard" in (c.text or ""), chat_id=6101, method="sendMessage",
                                               timeout=90)
            buttons = [b["callback_data"] for row in heard.params["reply_markup"]["inline_keyboard"] for b in row]
            assert buttons == ["voice:ok", "voice:edit", "voice:no"]
            assert "remind" in heard.text.lower() and "10" in heard.text
            assert await _reminders(engine) == []  # nothing booked from speech before Confirm

            telegram.press_button(6101, heard, "voice:ok")
            await telegram.await_for(lambda c: "I'll remind you" in (c.text or ""), chat_id=6101, timeout=60)
        [reminder] = await _reminders(engine)
        assert "printer" in reminder.text.lower()
    finally:
        await engine.dispose()
