"""`qm run`: Telegram (polling or webhook) + HTTP server in one event loop."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import uvicorn

from .app import build_dialogue, open_services
from .http.app import build_http_app
from .settings import Settings, database_location

log = logging.getLogger(__name__)


def notifiers_for(services, bot) -> list:
    """Telegram always; SMS when Twilio is configured (account and a sender)."""
    from .telegram.notifier import TelegramNotifier

    found = [TelegramNotifier(bot)]
    tw = services.settings.twilio
    if tw.account_sid and tw.auth_token and (tw.from_number or tw.messaging_service_sid):
        from .twilio.notifier import TwilioSmsNotifier

        found.append(TwilioSmsNotifier(services.settings))
    else:
        log.info("SMS sending is off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender are not all set")
    return found


def start_scheduler(services, bot):
    """Outbox senders in every process; timed jobs where the scheduler lease is held (jobs/scheduler.py)."""
    from jobs.scheduler import Scheduling

    from .i18n import translate

    scheduling = Scheduling(services, notifiers_for(services, bot), translate)
    # Every process sweeps its own temporary folder (uploads are local files), from start-up on.
    ttl_s = services.settings.limits.upload_ttl_minutes * 60
    scheduling.scheduler.add_job(_sweep_uploads, "interval", args=[ttl_s], seconds=max(60, min(600, ttl_s // 4)),
                                 id="uploads", next_run_time=services.clock())
    return scheduling.start()


async def _sweep_uploads(ttl_s: float) -> None:
    from . import uploads

    try:
        uploads.sweep(ttl_s)
    except OSError:
        log.warning("could not sweep the uploads folder", exc_info=True)


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
    from .webapp.routes import webapp_routes

    http_app = build_http_app(services, telegram_app=app if webhook else None, extra_routes=webapp_routes(dialogue, app))
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
              f"HTTP on http://{settings.http.host}:{settings.http.port}, database {database_location(settings.database.url)}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        await server.serve()  # returns once a signal asked it to exit
    finally:
        if scheduler is not None:
            await scheduler.shutdown()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await services.engine.dispose()
