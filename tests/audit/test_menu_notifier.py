"""The outbox carries a person's new command menu; the Telegram notifier sets it for their chat."""
from telegram import Bot

from bot.telegram.notifier import TelegramNotifier


async def test_menu_in_the_payload_is_set_for_that_chat_and_an_empty_one_removed(telegram_server):
    telegram_server.send_text(8003, "hi")  # the chat exists
    async with Bot(telegram_server.token, base_url=telegram_server.base_url) as bot:
        notifier = TelegramNotifier(bot)
        await notifier.send("8003", "Your role is now manager.", {"menu": [["help", "show this list"], ["history", "who changed"]]})
        scope = {"type": "chat", "chat_id": 8003}
        assert [c["command"] for c in telegram_server.commands_for(scope)] == ["help", "history"]
        assert telegram_server.sent(chat_id=8003, method="sendMessage")[-1].text == "Your role is now manager."
        await notifier.send("8003", "Your access has been blocked.", {"menu": []})
        assert telegram_server.commands_for(scope) == []
        await notifier.send("8003", "Your access is restored.", {"menu": [["help", "show this list"]]})
        await notifier.send("8003", "A reminder", None)  # no menu key: the menu is left alone
        assert [c["command"] for c in telegram_server.commands_for(scope)] == ["help"]
