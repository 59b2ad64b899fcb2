"""qm run: the whole assistant on one machine."""
from __future__ import annotations

from ..settings import database_location
from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("run", help="run the assistant (Telegram + HTTP server + scheduler); console on demo data without a token")
    p.add_argument("--no-telegram", action="store_true",
                   help="only the HTTP server (Twilio SMS and calls, /healthz, /metrics) and the scheduled jobs")
    p.set_defaults(func=run)


async def run(args) -> int:
    settings = settings_or_exit()
    no_telegram = getattr(args, "no_telegram", False) or not settings.telegram.enabled
    if settings.telegram.bot_token is None and not no_telegram:
        print("No TELEGRAM_BOT_TOKEN configured: starting the console channel on the demo company instead "
              f"(database {database_location(settings.database.url)}). Type /help; /quit to leave. "
              "(`qm run --no-telegram` runs the HTTP server and the jobs instead.)", flush=True)
        from .chat import chat_session

        return await chat_session(settings, name="console", role="admin")
    from ..runtime import serve

    await serve(settings, telegram=not no_telegram)
    return 0
