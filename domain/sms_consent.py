"""Opt-out and opt-in by SMS keyword, honoured by every sender."""
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from .models import SmsOptOut

# Carrier-standard keywords (Twilio handles the English ones on long codes itself,
# we still record them so our own senders skip the number) and local words.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
              "СТОП", "ОТПИСКА", "ОТПИСАТЬСЯ", "ОТПИШИ", "STOPARE", "DEZABONARE", "退订", "取消订阅"}
START_WORDS = {"START", "UNSTOP", "YES", "СТАРТ", "ПОДПИСКА", "PORNIRE", "订阅"}
HELP_WORDS = {"HELP", "INFO", "ПОМОЩ", "ПОМОЩЬ", "AJUTOR", "帮助"}


def keyword(text: str) -> str | None:
    """The opt keyword when the whole message is one (case and punctuation ignored)."""
    word = text.strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


async def opt_out(session: AsyncSession, phone: str, word: str) -> None:
    if await session.get(SmsOptOut, phone) is None:
        session.add(SmsOptOut(phone=phone, keyword=word))


async def opt_in(session: AsyncSession, phone: str) -> None:
    row = await session.get(SmsOptOut, phone)
    if row is not None:
        await session.delete(row)


async def is_opted_out(session: AsyncSession, phone: str) -> bool:
    return await session.get(SmsOptOut, phone) is not None
