"""The notifier port for Telegram: sends outbox rows through the running bot."""
from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from domain.models import Outbox
from domain.outbox import PermanentFailure


class TelegramNotifier:
    channel = "telegram"

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, recipient: str, body: str, payload: dict[str, Any] | None) -> str:
        rows = (payload or {}).get("buttons") or []
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["label"], callback_data=b["data"]) for b in row] for row in rows]) if rows else None
        try:
            message = await self.bot.send_message(int(recipient), body, reply_markup=markup)
        except Forbidden as exc:  # the person blocked the bot
            raise PermanentFailure(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise PermanentFailure(str(exc)) from exc
            raise
        return str(message.message_id)

    async def lookup(self, row: Outbox) -> str | None:
        # The Bot API cannot list what a bot has sent: an interrupted send is unknowable,
        # so the worker resends it (see jobs/outbox_worker.py for why).
        return None
