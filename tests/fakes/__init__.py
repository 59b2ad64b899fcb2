"""Local stand-ins for the outside services (Telegram Bot API, Twilio REST),
for running the real clients in tests."""
from .telegram_server import BotCall, TelegramServer

__all__ = ["BotCall", "TelegramServer"]
