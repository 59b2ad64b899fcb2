"""The scheduler `qm run` starts: reminders and the outbox, every few seconds.

APScheduler 3.x, in-memory job store: the jobs are defined in code at start-up
and their state lives in the database, so nothing is lost on restart. Running
two processes is safe (the reminder UPDATE is conditional, outbox claims skip
locked rows), merely wasteful."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.outbox import Notifier

from .outbox_worker import run_once
from .reminders import Translate, enqueue_due_reminders

log = logging.getLogger(__name__)


def build_scheduler(services: Any, notifiers: list[Notifier], translate: Translate) -> AsyncIOScheduler:
    """services: bot.services.Services (uow, clock, settings.jobs)."""
    cfg = services.settings.jobs or {}
    every = float(cfg.get("reminders_every_s", 20))
    outbox_every = float(cfg.get("outbox_every_s", 10))
    stale_after = timedelta(seconds=float(cfg.get("outbox_stale_after_s", 300)))
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})

    async def reminders_job() -> None:
        try:
            n = await enqueue_due_reminders(services.uow, now=services.clock, translate=translate)
            if n:
                log.info("queued %s reminder(s)", n)
        except Exception:
            log.exception("reminder job failed")

    scheduler.add_job(reminders_job, "interval", seconds=every, id="reminders", next_run_time=services.clock())
    for notifier in notifiers:
        async def outbox_job(notifier=notifier) -> None:
            try:
                result = await run_once(services.uow, notifier, now=services.clock, stale_after=stale_after)
                if result.sent or result.failed or result.retried or result.reconciled:
                    log.info("outbox %s: %s", notifier.channel, result)
            except Exception:
                log.exception("outbox worker (%s) failed", notifier.channel)

        scheduler.add_job(outbox_job, "interval", seconds=outbox_every, id=f"outbox-{notifier.channel}",
                          next_run_time=services.clock())
    return scheduler
