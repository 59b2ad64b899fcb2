"""The named baseline: a bare python-telegram-bot echo bot (no database, no
dialogue) against the same local Bot API server, with the same concurrency."""
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "?")


def main() -> None:
    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_API_BASE_URL"])
           .base_file_url(os.environ["TELEGRAM_API_FILE_URL"]).concurrent_updates(64).connection_pool_size(64).build())
    app.add_handler(TypeHandler(Update, echo))
    app.run_polling(poll_interval=0, timeout=1, drop_pending_updates=False)


if __name__ == "__main__":
    main()
