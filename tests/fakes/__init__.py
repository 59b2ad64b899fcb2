"""Local stand-ins for the outside services (Telegram Bot API, Twilio REST),
for running the real clients in tests. See each module's docstring."""
from .telegram_server import BotCall, TelegramServer
from .twilio_server import SmsMessage, StatusCallback, TwilioServer
from .twilio_signing import sign, signed_post

__all__ = ["BotCall", "SmsMessage", "StatusCallback", "TelegramServer", "TwilioServer", "sign", "signed_post"]
