"""The notifier port for Telegram: sends outbox rows through the running bot.

A row may carry buttons ({"buttons": [[{"label", "data"}]]}), the recipient's new
command menu ({"menu": [[command, description]]}, [] = back to the default) and one attachment
drawn at send time from the figures in the row ({"attachment": {"kind": "photo" |
"document", "filename", "render": NAME, "args": {...}}}, NAME one of RENDERERS),
so the outbox holds numbers, not images."""
from __future__ import annotations

from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter

from domain.models import Outbox
from domain.outbox import PermanentFailure, TemporaryFailure

from ..reports.attachments import RENDERERS  # noqa: F401  (also imported from here)
CAPTION_LIMIT = 1024  # Telegram's caption length


class TelegramNotifier:
    channel = "telegram"

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, recipient: str, body: str, payload: dict[str, Any] | None) -> str:
        payload = payload or {}
        rows = payload.get("buttons") or []
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["label"], callback_data=b["data"]) for b in row] for row in rows]) if rows else None
        attachment = payload.get("attachment")
        try:
            if "menu" in payload:  # first: a retry after a failed send sets it again, harmlessly
                await self._set_menu(int(recipient), payload["menu"])
            if attachment:
                message = await self._send_attachment(int(recipient), body, attachment, markup)
            else:
                message = await self.bot.send_message(int(recipient), body, reply_markup=markup)
        except Forbidden as exc:  # the person blocked the bot
            raise PermanentFailure(str(exc)) from exc
        except RetryAfter as exc:  # still flood-limited after the bot's own retries: Telegram did not take it
            wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else exc.retry_after
            raise TemporaryFailure(str(exc), retry_after_s=float(wait)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise PermanentFailure(str(exc)) from exc
            raise
        return str(message.message_id)

    async def _set_menu(self, chat_id: int, menu: list) -> None:
        scope = BotCommandScopeChat(chat_id)
        if menu:
            await self.bot.set_my_commands([BotCommand(c, d[:256]) for c, d in menu], scope=scope)
        else:
            await self.bot.delete_my_commands(scope=scope)

    async def _send_attachment(self, chat_id: int, body: str, attachment: dict[str, Any], markup):
        render = RENDERERS.get(attachment.get("render", ""))
        if render is None:
            raise PermanentFailure(f"unknown attachment renderer {attachment.get('render')!r}")
        data = InputFile(render(**attachment.get("args", {})), filename=attachment.get("filename") or "report")
        if len(body) > CAPTION_LIMIT:  # text first, then the file: one message id is kept (the text's)
            message = await self.bot.send_message(chat_id, body, reply_markup=markup)
            body, markup = None, None
        else:
            message = None
        send = self.bot.send_photo if attachment.get("kind") == "photo" else self.bot.send_document
        sent = await send(chat_id, data, caption=body, reply_markup=markup)
        return message or sent

    async def lookup(self, row: Outbox) -> str | None:
        # The Bot API cannot list what a bot has sent: an interrupted send is unknowable,
        # so the worker resends it (see jobs/outbox_worker.py for why).
        return None
