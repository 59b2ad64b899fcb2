"""qm run: the whole assistant on one machine."""
from __future__ import annotations

from ..settings import database_location
from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("run", help="run the assistant (Telegram + HTTP server + scheduler); console on demo data without a token")
    p.set_defaults(func=run)


async def run(args) -> int:
    settings = settings_or_exit()
    if settings.telegram.bot_token is None:
        print("No TELEGRAM_BOT_TOKEN configured: starting the console channel on the demo company instead "
              f"(database {database_location(settings.database.url)}). Type /help; /quit to leave.", flush=True)
        from .chat import chat_session

        return await chat_session(settings, name="console", role="admin")
    from ..runtime import serve

    await serve(settings)
    return 0
