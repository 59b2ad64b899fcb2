"""Telegram's "typing..." indicator for a photo goes beside the decoding, before the reply, and
costs the message nothing when Telegram refuses it (bot/telegram/application.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from telegram import Update
from telegram.error import NetworkError

from bot.telegram.application import on_update

from ..dialogue_helpers import dialogue_for
from .conftest import WORKER
from .test_rate_limits import _widget_photo


class _Bot:
    """The Bot behind the Update and the context: serves the photo, records what is sent."""

    def __init__(self, photo: bytes, typing_fails: bool = False):
        self.photo, self.typing_fails, self.calls = photo, typing_fails, []

    async def get_file(self, file_id, **kw):
        photo = self.photo

        class File:
            async def download_as_bytearray(self):
                return bytearray(photo)
        return File()

    async def send_chat_action(self, chat_id, action, **kw):
        self.calls.append(("typing", chat_id))
        if self.typing_fails:
            raise NetworkError("connection reset")

    async def send_message(self, chat_id, text, **kw):
        self.calls.append(("message", text))


def _photo_update(bot: _Bot) -> Update:
    return Update.de_json({"update_id": 7, "message": {
        "message_id": 1, "date": 0, "chat": {"id": WORKER, "type": "private"},
        "from": {"id": WORKER, "is_bot": False, "first_name": "G"},
        "photo": [{"file_id": "P1", "file_unique_id": "U1", "width": 100, "height": 100, "file_size": len(bot.photo)}]}}, bot)


@pytest.mark.parametrize("typing_fails", [False, True])
async def test_a_photo_is_answered_after_the_typing_indicator_even_when_that_fails(services, typing_fails):
    bot = _Bot(await _widget_photo(services), typing_fails)
    context = SimpleNamespace(bot=bot, application=SimpleNamespace(bot_data={"dialogue": dialogue_for(services)}))
    await on_update(_photo_update(bot), context)
    assert bot.calls[0] == ("typing", WORKER)
    assert [kind for kind, _ in bot.calls] == ["typing", "message"] and "Blue widget" in bot.calls[1][1]
