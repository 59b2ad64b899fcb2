"""The scheduler `qm run` starts (APScheduler 3.x, in-memory job store).

Every process sends from the outbox (claims skip rows other processes hold).
Only the process holding the scheduler lease (jobs/leader.py: a PostgreSQL
advisory lock; always on SQLite) runs the deployment's timed jobs: reminders,
mailing summaries and the reports at their cron times. The others re-try the
lease every `leader_retry_s` and add those jobs when they win it. Job state
lives in the database, so nothing is lost on restart or fail-over; on taking
the lease a scheduler runs each report whose last cron time passed within
`catch_up_hours` (a report already queued for that period is not queued again).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.audit import Actor, acting_as
from domain.outbox import Notifier

from .leader import SchedulerLease
from .mailings import finish_mailings_job
from .outbox_worker import SendPolicy, drain
from .reminders import Translate, enqueue_due_reminders
from .reports import replenishment_job, stock_digest_job, weekly_funnel_job

log = logging.getLogger(__name__)


def send_policy(settings: Any, channel: str) -> SendPolicy:
    jobs = settings.jobs
    rate = settings.mailings.rate_per_s if channel == "sms" else 0.0  # Telegram: PTB's rate limiter paces
    return SendPolicy(limit=jobs.outbox_batch, stale_after=timedelta(seconds=jobs.outbox_stale_after_s),
                      max_attempts=jobs.outbox_max_attempts, rate_per_s=rate, concurrency=jobs.outbox_concurrency,
                      retry_base_s=jobs.retry_base_s)


def _guard(name: str, fn: Callable[[], Any]):
    async def job() -> None:
        try:
            with acting_as(Actor(channel="job", name=name)):  # what the job changes is logged as its doing
                result = await fn()
            if result:
                log.info("%s: %s", name, result)
        except Exception:
            log.exception("job %s failed", name)

    job.__name__ = name
    return job


def report_jobs(services: Any, translate: Translate) -> dict[str, Callable[[datetime], Any]]:
    """name -> async fn(fire_time) queueing that report."""
    s = services.settings

    def tz(name: str) -> str:
        return s.jobs.reports[name].timezone or s.company.timezone

    return {
        "stock_digest": lambda at: stock_digest_job(services.uow, now=at, tz=tz("stock_digest"), translate=translate,
                                                    reservation_days=s.jobs.reservation_days,
                                                    draft_days=s.purchasing.draft_alert_days),
        "funnel": lambda at: weekly_funnel_job(services.uow, now=at, tz=tz("funnel"), translate=translate,
                                               currency=s.company.currency),
        "replenishment": lambda at: replenishment_job(services.uow, now=at, tz=tz("replenishment"), translate=translate),
    }


def last_fire_time(trigger: CronTrigger, now: datetime, within: timedelta) -> datetime | None:
    """The trigger's latest fire time in (now - within, now], if any."""
    last, probe = None, now - within
    while True:
        nxt = trigger.get_next_fire_time(last, probe)
        if nxt is None or nxt > now:
            return last
        last, probe = nxt, nxt + timedelta(seconds=1)


class Scheduling:
    """The APScheduler instance plus the lease that decides whether the timed jobs run here."""

    def __init__(self, services: Any, notifiers: list[Notifier], translate: Translate, lease: SchedulerLease | None = None):
        self.services, self.translate = services, translate
        self.leader_job_ids: set[str] = set()
        self.lease = lease or SchedulerLease(services.engine)
        self.scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                        "misfire_grace_time": 60})
        cfg = services.settings.jobs
        for notifier in notifiers:
            policy = send_policy(services.settings, notifier.channel)
            self.scheduler.add_job(
                _guard(f"outbox-{notifier.channel}",
                       lambda n=notifier, p=policy: drain(services.uow, n, now=services.clock, policy=p,
                                                          translate=translate, budget_s=60)),
                "interval", seconds=cfg.outbox_every_s, id=f"outbox-{notifier.channel}", next_run_time=services.clock())
        if self.lease.sqlite:
            self.lease.held = True
            self._add_leader_jobs(catch_up=False)
        else:
            self.scheduler.add_job(self.check_lease, "interval", seconds=cfg.leader_retry_s, id="lease",
                                   next_run_time=services.clock())

    @property
    def leading(self) -> bool:
        return self.lease.held

    async def check_lease(self) -> None:
        was = self.lease.held
        now_held = await self.lease.check()
        if now_held and not was:
            self._add_leader_jobs(catch_up=True)
        elif was and not now_held:
            log.warning("lost the scheduler lease: timed jobs stop here")
            for job in self.scheduler.get_jobs():
                if job.id in self.leader_job_ids:
                    job.remove()
            self.leader_job_ids.clear()

    def _add_leader_jobs(self, *, catch_up: bool) -> None:
        services, s = self.services, self.services.settings

        def add(*args, id: str, **kw) -> None:
            self.leader_job_ids.add(id)
            self.scheduler.add_job(*args, id=id, replace_existing=True, **kw)
        add(_guard("reminders", lambda: enqueue_due_reminders(services.uow, now=services.clock, translate=self.translate)),
            "interval", seconds=s.jobs.reminders_every_s, id="reminders", next_run_time=services.clock())
        add(_guard("mailings", lambda: finish_mailings_job(services.uow, now=services.clock(), translate=self.translate,
                                                           settle_after=timedelta(seconds=s.mailings.settle_after_s))),
            "interval", seconds=s.jobs.mailings_every_s, id="mailings")
        reports = report_jobs(services, self.translate)
        now = services.clock()
        for name, spec in s.jobs.reports.items():
            if not spec.enabled:
                continue
            trigger = CronTrigger.from_crontab(spec.cron, timezone=spec.timezone or s.company.timezone)
            run = reports[name]
            add(_guard(f"report-{name}", lambda run=run: run(services.clock())), trigger,
                id=f"report-{name}")
            missed = last_fire_time(trigger, now, timedelta(hours=s.jobs.catch_up_hours)) if catch_up else None
            if missed is not None:  # a fire time passed while no process led: run it now, once
                add(_guard(f"report-{name}-catch-up", lambda run=run, at=missed: run(at)), "date", run_date=now,
                    id=f"catch-up-{name}")

    def start(self) -> "Scheduling":
        self.scheduler.start()
        return self

    async def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
        await self.lease.release()


def build_scheduler(services: Any, notifiers: list[Notifier], translate: Translate) -> AsyncIOScheduler:
    """The bare APScheduler (single-process use and tests); `qm run` uses Scheduling for the lease."""
    return Scheduling(services, notifiers, translate).scheduler
