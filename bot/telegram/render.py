"""Replies -> Telegram calls."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, WebAppInfo
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from ..dialogue.messages import Reply

log = logging.getLogger(__name__)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, web_app=WebAppInfo(b.web_app)) if b.web_app
                                  else InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons])


def _chunks(text: str, size: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    out = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    out.append(text)
    return out


async def send_replies(bot, chat_id: int, replies: list[Reply], update: Update | None = None) -> None:
    for reply in replies:
        if reply.menu is not None:
            await bot.set_my_commands([BotCommand(c, d[:256]) for c, d in reply.menu], scope=BotCommandScopeChat(chat_id))
        markup = keyboard(reply)
        if reply.edit and update is not None and update.callback_query is not None and update.callback_query.message:
            try:
                await update.callback_query.edit_message_text(reply.text, reply_markup=markup)
                await _attachments(bot, chat_id, reply)
                continue
            except BadRequest as exc:  # message too old, or unchanged: send a new one instead
                log.debug("edit failed, sending instead: %s", exc)
        if reply.text:
            parts = _chunks(reply.text)
            for i, part in enumerate(parts):
                await bot.send_message(chat_id, part, reply_markup=markup if i == len(parts) - 1 else None)
        await _attachments(bot, chat_id, reply)


async def _attachments(bot, chat_id: int, reply: Reply) -> None:
    for att in reply.attachments:
        file = InputFile(att.data, filename=att.filename)
        if att.kind == "photo":
            await bot.send_photo(chat_id, file, caption=att.caption)
        else:
            await bot.send_document(chat_id, file, caption=att.caption)
