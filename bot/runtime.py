"""`qm run`: the HTTP server (Twilio SMS and voice, /healthz, /metrics, the Telegram webhook),
the scheduler and the Telegram channel in one event loop.

The parts are independent: the HTTP server and the scheduler start first and serve
whatever Telegram does; Telegram comes up in the background (bot/telegram/supervisor.py),
retried with back-off while it is unreachable, and its outbox sender joins the scheduler
once it answers. `telegram.enabled: false` (`qm run --no-telegram`) leaves it out."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

import uvicorn

from .app import build_dialogue, open_services
from .health import Watched
from .http.app import build_http_app
from .settings import Settings, database_location

log = logging.getLogger(__name__)


def sms_notifier(services):
    """The Twilio SMS sender when Twilio is configured (account, token and a sender), else None."""
    tw = services.settings.twilio
    if tw.account_sid and tw.auth_token and (tw.from_number or tw.messaging_service_sid):
        from .twilio.notifier import TwilioSmsNotifier

        return TwilioSmsNotifier(services.settings)
    log.info("SMS sending is off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender are not all set")
    return None


def notifiers_for(services, bot) -> list:
    """Telegram (when a bot is given) and SMS (when Twilio is configured)."""
    found = []
    if bot is not None:
        from .telegram.notifier import TelegramNotifier

        found.append(TelegramNotifier(bot))
    sms = sms_notifier(services)
    if sms is not None:
        found.append(sms)
    if services.settings.email.enabled:
        from .email.notifier import EmailNotifier

        found.append(EmailNotifier(services.settings))
    return found


def start_scheduler(services, bot, registry=None):
    """Outbox senders in every process; timed jobs where the scheduler lease is held (jobs/scheduler.py)."""
    from jobs.scheduler import Scheduling

    from .i18n import translate

    scheduling = Scheduling(services, notifiers_for(services, bot), translate, registry=registry)
    add_upload_sweep(scheduling, services)
    return scheduling.start()


def add_upload_sweep(scheduling, services) -> None:
    """Every process sweeps its own temporary folder (uploads are local files), from start-up on."""
    ttl_s = services.settings.limits.upload_ttl_minutes * 60
    scheduling.scheduler.add_job(_sweep_uploads, "interval", args=[ttl_s], seconds=max(60, min(600, ttl_s // 4)),
                                 id="uploads", next_run_time=services.clock())


async def _sweep_uploads(ttl_s: float) -> None:
    from . import uploads

    try:
        uploads.sweep(ttl_s)
    except OSError:
        log.warning("could not sweep the uploads folder", exc_info=True)


def _count_sms(outcome: str) -> None:
    from . import metrics

    metrics.SMS.labels("outbound", outcome).inc()


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after its own shutdown, which would kill the process
    before the Telegram application and the database are closed: signals are ours."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


async def _watch_scheduler(services, scheduling, every_s: float) -> None:
    """Keeps the scheduler's part of /healthz current (leadership changes in the lease job)."""
    while True:
        state = "ok" if scheduling.scheduler.running else "down"
        services.health.set("scheduler", state, leader=scheduling.leading)
        await asyncio.sleep(every_s)


async def serve(settings: Settings, *, telegram: bool | None = None) -> None:
    from jobs.heartbeat import ProcessRegistry
    from jobs.scheduler import Scheduling

    from .i18n import translate

    telegram = settings.telegram.enabled if telegram is None else telegram
    telegram = telegram and settings.telegram.bot_token is not None
    # The language model loads after the outbox senders run: sends a crashed process left
    # are taken over within a second of start-up, not after the seconds spaCy needs.
    services = await open_services(settings, with_nlu=False)
    health = services.health
    tg_settings = settings.telegram
    webhook = telegram and bool(tg_settings.webhook_url)
    if webhook and tg_settings.webhook_secret is None:
        raise SystemExit("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is")

    registry = None
    if settings.jobs.claim_takeover:
        registry = ProcessRegistry(services.uow, services.clock,
                                   dead_after=timedelta(seconds=settings.jobs.process_dead_after_s))
        orphaned = await registry.register()
        if orphaned:
            log.warning("%s outbox send(s) left by a process that is gone are reconciled now", orphaned)
    notifiers = []
    sms = sms_notifier(services)
    if sms is not None:
        notifiers.append(Watched(sms, health, "twilio", on_outcome=_count_sms))
        health.set("twilio", "ok", "no send yet")
    else:
        health.set("twilio", "off", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender are not all set")
    if settings.email.enabled:
        from .email.notifier import EmailNotifier

        notifiers.append(Watched(EmailNotifier(settings), health, "email"))
        health.set("email", "ok", "no send yet")
    else:
        health.set("email", "off", "email.host is not set")
    scheduling = Scheduling(services, notifiers, translate, registry=registry)
    add_upload_sweep(scheduling, services)
    scheduling = scheduling.start()
    watcher = asyncio.create_task(_watch_scheduler(services, scheduling, 1.0))  # no I/O: reads the lease's state

    supervisor = serving = None
    try:
        dialogue = build_dialogue(services)  # reads services.parse per message: free text works once it is loaded
        app = None
        if telegram:
            from .telegram.application import build_application

            app = build_application(dialogue, webhook=webhook)
            health.set("telegram", "starting")
        else:
            health.set("telegram", "off", "switched off (--no-telegram or telegram.enabled: false)"
                       if settings.telegram.bot_token is not None else "no TELEGRAM_BOT_TOKEN")
        from .webapp.routes import webapp_routes

        # the scanner page proves who is scanning with the bot token: without Telegram it is not served
        scanner = webapp_routes(dialogue, app) if app is not None and settings.webapp.enabled else []
        http_app = build_http_app(services, telegram_app=app if webhook else None, extra_routes=scanner)
        server = _Server(uvicorn.Config(http_app, host=settings.http.host, port=settings.http.port,
                                        log_level="warning", lifespan="off", access_log=False))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        # SMS, calls and Twilio's delivery callbacks are served from here on (an order number
        # in an SMS is read by pattern until the language model is in)
        serving = asyncio.create_task(server.serve(), name="http")

        from .app import load_parser

        health.set("nlu", "starting")
        services.parse = await asyncio.to_thread(load_parser)
        health.set("nlu", "ok" if services.parse else "off")

        if app is not None and not server.should_exit:
            from .telegram.notifier import TelegramNotifier
            from .telegram.supervisor import TelegramSupervisor

            supervisor = TelegramSupervisor(
                app, dialogue, health, webhook=webhook,
                on_up=lambda: scheduling.add_notifier(Watched(TelegramNotifier(app.bot), health, "telegram"))).start()
        mode = ("webhook" if webhook else "long polling") if telegram else "off"
        log.info("qm run: telegram %s, http on %s:%s", mode, settings.http.host, settings.http.port)
        print(f"Quartermaster is running: Telegram ({mode}{', connecting in the background' if telegram else ''}), "
              f"HTTP on http://{settings.http.host}:{settings.http.port}, database {database_location(settings.database.url)}",
              flush=True)
        await serving  # returns once a signal asked it to exit
    finally:
        if serving is not None and not serving.done():
            server.should_exit = True
            await serving
        watcher.cancel()
        await scheduling.shutdown()
        if supervisor is not None:
            await supervisor.stop()
        await services.engine.dispose()
