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
from .heap import freeze_startup_heap
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


async def _register_process(services):
    """The heartbeat registry (claim take-over), reconciling what a process that is gone left."""
    from jobs.heartbeat import ProcessRegistry

    if not services.settings.jobs.claim_takeover:
        return None
    registry = ProcessRegistry(services.uow, services.clock,
                               dead_after=timedelta(seconds=services.settings.jobs.process_dead_after_s))
    orphaned = await registry.register()
    if orphaned:
        log.warning("%s outbox send(s) left by a process that is gone are reconciled now", orphaned)
    return registry


def _watched_notifiers(services) -> list:
    """SMS and e-mail senders, each reporting to /healthz (Telegram's joins once it answers)."""
    health, settings = services.health, services.settings
    notifiers = []
    sms = sms_notifier(services)
    if sms is not None:
        notifiers.append(Watched(sms, health, "twilio", on_outcome=_count_sms))
        health.set("twilio", "ok", "no send yet")
    else:
        health.set("twilio", "off", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender are not all set")
    if settings.email.enabled:
        from .mail.notifier import EmailNotifier

        notifiers.append(Watched(EmailNotifier(settings), health, "email"))
        health.set("email", "ok", "no send yet")
    else:
        health.set("email", "off", "email.host is not set")
    return notifiers


def _telegram_app(services, dialogue, *, telegram: bool, webhook: bool):
    if not telegram:
        services.health.set("telegram", "off", "switched off (--no-telegram or telegram.enabled: false)"
                            if services.settings.telegram.bot_token is not None else "no TELEGRAM_BOT_TOKEN")
        return None
    from .telegram.application import build_application

    app = build_application(dialogue, webhook=webhook)
    services.health.set("telegram", "starting")
    return app


def _http_server(services, dialogue, app, *, webhook: bool) -> _Server:
    from .webapp.routes import webapp_routes

    settings = services.settings
    # the scanner page proves who is scanning with the bot token: without Telegram it is not served
    scanner = webapp_routes(dialogue, app) if app is not None and settings.webapp.enabled else []
    http_app = build_http_app(services, telegram_app=app if webhook else None, extra_routes=scanner)
    server = _Server(uvicorn.Config(http_app, host=settings.http.host, port=settings.http.port,
                                    log_level="warning", lifespan="off", access_log=False))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    return server


def _shared_socket(settings: Settings):
    """With http.reuse_port, a listening socket other processes can bind too (SO_REUSEPORT): the
    kernel spreads incoming connections over them, so one webhook URL feeds several processes."""
    if not settings.http.reuse_port:
        return None  # uvicorn binds host:port itself
    import socket

    host = settings.http.host
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, settings.http.port))
    sock.listen(2048)
    sock.setblocking(False)
    return [sock]


async def _load_language(services) -> asyncio.Task:
    """The language model with the company's names; returns the task that keeps the names fresh."""
    from .app import load_parser
    from .nlu_names import CompanyParser

    services.health.set("nlu", "starting")
    parser = CompanyParser(await asyncio.to_thread(load_parser), services.uow)
    await parser.refresh()
    services.parse = parser
    services.health.set("nlu", "ok")
    return asyncio.create_task(parser.keep_fresh(), name="nlu-names")


async def serve(settings: Settings, *, telegram: bool | None = None) -> None:
    from jobs.scheduler import Scheduling

    from .i18n import translate

    telegram = settings.telegram.enabled if telegram is None else telegram
    telegram = telegram and settings.telegram.bot_token is not None
    # The language model loads after the outbox senders run: sends a crashed process left
    # are taken over within a second of start-up, not after the seconds spaCy needs.
    services = await open_services(settings, with_nlu=False)
    health = services.health
    webhook = telegram and bool(settings.telegram.webhook_url)
    if webhook and settings.telegram.webhook_secret is None:
        raise SystemExit("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is")

    registry = await _register_process(services)
    scheduling = Scheduling(services, _watched_notifiers(services), translate, registry=registry)
    add_upload_sweep(scheduling, services)
    scheduling = scheduling.start()
    watcher = asyncio.create_task(_watch_scheduler(services, scheduling, 1.0))  # no I/O: reads the lease's state

    supervisor = serving = names = None
    try:
        dialogue = build_dialogue(services)  # reads services.parse per message: free text works once it is loaded
        app = _telegram_app(services, dialogue, telegram=telegram, webhook=webhook)
        server = _http_server(services, dialogue, app, webhook=webhook)
        # SMS, calls and Twilio's delivery callbacks are served from here on (an order number
        # in an SMS is read by pattern until the language model is in)
        serving = asyncio.create_task(server.serve(sockets=_shared_socket(settings)), name="http")
        names = await _load_language(services)
        freeze_startup_heap()  # everything is loaded: full collections skip it from now on (bot/heap.py)

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
        if names is not None:
            names.cancel()
        await scheduling.shutdown()
        if supervisor is not None:
            await supervisor.stop()
        await services.engine.dispose()
