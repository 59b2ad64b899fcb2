"""The python-telegram-bot Application: every update goes through the dialogue."""
from __future__ import annotations

import asyncio
import logging
import time

from telegram import BotCommand, Update
from telegram.constants import ChatAction
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from .. import metrics
from ..dialogue.engine import Dialogue
from ..i18n import LANGUAGES, normalise_language, tr
from .inbound import TooLarge, to_inbound
from .render import send_replies

log = logging.getLogger(__name__)


def build_application(dialogue: Dialogue, *, webhook: bool) -> Application:
    settings = dialogue.services.settings
    tg = settings.telegram
    builder = (
        ApplicationBuilder()
        .token(tg.bot_token.get_secret_value())
        .base_url(tg.api_base_url)
        .base_file_url(tg.api_file_url)
        .concurrent_updates(tg.concurrent_updates)
        # Honours 429 retry_after; the overall cap keeps bursts under Telegram's limit.
        .rate_limiter(AIORateLimiter(overall_max_rate=tg.max_messages_per_s, overall_time_period=1, max_retries=3))
        .connection_pool_size(max(8, min(tg.concurrent_updates, 64)))
    )
    if webhook:
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data["dialogue"] = dialogue
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    dialogue: Dialogue = context.application.bot_data["dialogue"]
    settings = dialogue.services.settings
    chat = update.effective_chat
    if update.callback_query is not None:
        await update.callback_query.answer()  # stops the button's spinner
    started = time.perf_counter()
    try:
        inbound = await to_inbound(update, settings, dialogue.may_receive_files)
    except TooLarge as exc:
        lang = normalise_language(update.effective_user.language_code if update.effective_user else None)
        await context.bot.send_message(chat.id, tr(lang, "That file is too large ({size} MB; the limit is {limit} MB).",
                                                  size=round(exc.size / 1e6, 1), limit=round(exc.limit / 1e6, 1)))
        return
    if inbound is None:
        return
    typing = None
    if inbound.kind in ("photo", "voice", "document"):  # decoding takes a moment: "typing..." meanwhile
        typing = asyncio.create_task(_typing(context.bot, chat.id))  # beside the work, not a round trip before it
    replies = await dialogue.handle(inbound)
    metrics.UPDATES.labels("telegram", inbound.kind).inc()
    metrics.LATENCY.labels("telegram").observe(time.perf_counter() - started)
    if typing is not None:
        await typing  # the indicator before the reply
    await send_replies(context.bot, chat.id, replies, update)
    metrics.OUTBOUND.labels("telegram").inc(len(replies))


async def _typing(bot, chat_id: int) -> None:
    """The "typing..." indicator: cosmetic, so a failure to show it costs the message nothing."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except Exception as exc:
        log.warning("could not show typing in chat %s: %s", chat_id, exc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    metrics.ERRORS.labels("telegram").inc()
    log.error("telegram update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            lang = normalise_language(update.effective_user.language_code if update.effective_user else None)
            await context.bot.send_message(update.effective_chat.id, tr(lang, "Sorry, something went wrong. Please try again."))
        except Exception:  # the chat may be unreachable: nothing more to do
            log.warning("could not tell the user about the error", exc_info=True)


async def set_command_menus(app: Application, dialogue: Dialogue) -> None:
    """The default / menu (everyone, per language): what every role has. Each person gets
    their role's full menu in their own chat when they join (Reply.menu)."""
    entries = [e for e in dialogue.router.help if e.capability is None]
    for lang in LANGUAGES:
        commands = [BotCommand(e.command, tr(lang, e.text)[:256]) for e in entries]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
