"""Brings the Telegram channel up in the background and keeps watching it.

Telegram being unreachable must not take the rest of `qm run` down (customers' SMS and
calls, /healthz, the scheduled jobs): start-up is retried with growing waits (1 s, 2 s,
4 s ... at most `telegram.retry_max_s`) while everything else serves. Once up, long
polling rides out later outages by itself (python-telegram-bot retries getUpdates);
a getMe probe every `telegram.probe_every_s` tells /healthz whether Telegram answers."""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable

from telegram.error import InvalidToken
from telegram.ext import Application

from ..health import Health

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
NETWORK_ERRORS = ("NetworkError", "TimedOut")  # what a send fails with while Telegram is unreachable


class TelegramSupervisor:
    def __init__(self, app: Application, dialogue, health: Health, on_up: Callable[[], None], *, webhook: bool):
        self.app, self.dialogue, self.health, self.on_up, self.webhook = app, dialogue, health, on_up, webhook
        self.services = dialogue.services
        self.settings = dialogue.services.settings.telegram
        self.task: asyncio.Task | None = None
        self.up_at: float | None = None  # monotonic time Telegram first answered (for the start-up figure)

    def start(self) -> "TelegramSupervisor":
        self.health.set("telegram", "starting")
        self.task = asyncio.create_task(self.run(), name="telegram-supervisor")
        return self

    async def run(self) -> None:
        started, wait, attempt = time.monotonic(), 1.0, 0
        while True:
            attempt += 1
            try:
                await self._bring_up()
                break
            except InvalidToken as exc:  # retrying cannot help: say so and leave the rest running
                log.error("Telegram refused the bot token (%s): the Telegram channel stays off", exc)
                self.health.set("telegram", "down", f"token rejected: {exc}")
                return
            except Exception as exc:
                log.warning("Telegram is not reachable (attempt %s: %s: %s); trying again in %.0f s",
                            attempt, type(exc).__name__, exc, wait)
                self.health.set("telegram", "retrying", f"{type(exc).__name__}: {exc}", attempts=attempt,
                                next_try_in_s=round(wait, 1))
                await asyncio.sleep(wait * random.uniform(0.8, 1.2))
                wait = min(self.settings.retry_max_s, wait * 2)
        self.up_at = time.monotonic()
        log.info("Telegram is up (%s) after %.1f s, %s attempt(s)", "webhook" if self.webhook else "long polling",
                 self.up_at - started, attempt)
        self.health.set("telegram", "ok", mode="webhook" if self.webhook else "polling")
        self.on_up()
        await self._watch()

    async def _bring_up(self) -> None:
        from .application import set_command_menus

        app = self.app
        await app.initialize()  # getMe: fails while Telegram is unreachable; a no-op once done
        if not app.running:
            await app.start()
        await set_command_menus(app, self.dialogue)
        if self.webhook:
            secret = self.settings.webhook_secret.get_secret_value()
            await app.bot.set_webhook(self.settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        elif not app.updater.running:
            await app.updater.start_polling(timeout=self.settings.poll_timeout_s, allowed_updates=ALLOWED_UPDATES,
                                            error_callback=self._polling_error)

    def _polling_error(self, exc: Exception) -> None:
        # python-telegram-bot keeps polling with its own back-off; we only report it
        self.health.set("telegram", "down", f"{type(exc).__name__}: {exc}")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.probe_every_s)
            try:
                await asyncio.wait_for(self.app.bot.get_me(), timeout=max(1.0, self.settings.probe_every_s))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.health.set("telegram", "down", f"{type(exc).__name__}: {exc}")
            else:
                was = self.health.status("telegram")
                self.health.set("telegram", "ok", mode="webhook" if self.webhook else "polling")
                if was != "ok":
                    await self._resend_waiting()

    async def _resend_waiting(self) -> None:
        """Messages that failed while Telegram was unreachable go now, not after the rest of their back-off."""
        from domain import outbox

        try:
            async with self.services.uow() as u:
                n = await outbox.retry_now(u.session, "telegram", self.services.clock(), NETWORK_ERRORS)
                await u.commit()
            if n:
                log.info("Telegram answers again: %s waiting message(s) are sent now", n)
        except Exception:
            log.warning("could not hurry the waiting Telegram messages; they go after their back-off", exc_info=True)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass
        app = self.app
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        except Exception:
            log.warning("Telegram did not shut down cleanly", exc_info=True)
