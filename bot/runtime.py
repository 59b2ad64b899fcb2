"""`qm run`: Telegram (polling or webhook) + HTTP server in one event loop."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import uvicorn

from .app import build_dialogue, open_services
from .http.app import build_http_app
from .settings import Settings

log = logging.getLogger(__name__)


def start_scheduler(services, bot):
    """Reminders -> outbox -> Telegram, every few seconds, in this event loop."""
    from jobs.scheduler import build_scheduler

    from .i18n import translate
    from .telegram.notifier import TelegramNotifier

    scheduler = build_scheduler(services, [TelegramNotifier(bot)], translate)
    scheduler.start()
    return scheduler


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after its own shutdown, which would kill the process
    before the Telegram application and the database are closed: signals are ours."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


async def serve(settings: Settings) -> None:
    services = await open_services(settings)
    dialogue = build_dialogue(services)
    tg_settings = settings.telegram
    webhook = bool(tg_settings.webhook_url)
    from .telegram.application import build_application, set_command_menus

    app = build_application(dialogue, webhook=webhook)
    http_app = build_http_app(services, telegram_app=app if webhook else None)
    server = _Server(uvicorn.Config(http_app, host=settings.http.host, port=settings.http.port,
                                           log_level="warning", lifespan="off", access_log=False))
    scheduler = None
    await app.initialize()
    try:
        await set_command_menus(app, dialogue)
        if webhook:
            if tg_settings.webhook_secret is None:
                raise SystemExit("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is")
            await app.bot.set_webhook(tg_settings.webhook_url, secret_token=tg_settings.webhook_secret.get_secret_value(),
                                      allowed_updates=["message", "edited_message", "callback_query"])
        else:
            await app.updater.start_polling(timeout=tg_settings.poll_timeout_s,
                                            allowed_updates=["message", "edited_message", "callback_query"])
        await app.start()
        scheduler = start_scheduler(services, app.bot)
        log.info("qm run: telegram %s, http on %s:%s", "webhook" if webhook else "polling", settings.http.host, settings.http.port)
        print(f"Quartermaster is running: Telegram ({'webhook' if webhook else 'long polling'}), "
              f"HTTP on http://{settings.http.host}:{settings.http.port}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        await server.serve()  # returns once a signal asked it to exit
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await services.engine.dispose()
