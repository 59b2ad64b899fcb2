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
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.audit import Actor, acting_as
from domain.outbox import Notifier

from .heartbeat import ProcessRegistry
from .leader import SchedulerLease
from .mailings import finish_mailings_job
from .metrics import JOB_LAST_SUCCESS, JOB_RUNS, JOB_SECONDS, ORPHANED_CLAIMS, SCHEDULER_LEADER
from .outbox_worker import SendPolicy, drain, measure_depth
from .reminders import Translate, enqueue_due_reminders
from .reports import replenishment_job, stock_digest_job, weekly_funnel_job

log = logging.getLogger(__name__)


def send_policy(settings: Any, channel: str, registry: ProcessRegistry | None = None) -> SendPolicy:
    jobs = settings.jobs
    rate = settings.mailings.rate_per_s if channel == "sms" else 0.0  # Telegram: PTB's rate limiter paces
    return SendPolicy(limit=jobs.outbox_batch, stale_after=timedelta(seconds=jobs.outbox_stale_after_s),
                      max_attempts=jobs.outbox_max_attempts, rate_per_s=rate, concurrency=jobs.outbox_concurrency,
                      retry_base_s=jobs.retry_base_s, owner=registry.id if registry else None,
                      dead_after=registry.dead_after if registry else None)


def _guard(name: str, fn: Callable[[], Any], metric: str | None = None):
    """Runs a job, logs and counts its outcome; a failure waits for the next tick (never kills the scheduler)."""
    metric = metric or name

    async def job() -> None:
        started = time.perf_counter()
        try:
            with acting_as(Actor(channel="job", name=name)):  # what the job changes is logged as its doing
                result = await fn()
            if result:
                log.info("%s: %s", name, result)
        except Exception:
            JOB_RUNS.labels(metric, "failed").inc()
            log.exception("job %s failed", name)
        else:
            JOB_RUNS.labels(metric, "ok").inc()
            JOB_LAST_SUCCESS.labels(metric).set(time.time())
        finally:
            JOB_SECONDS.labels(metric).observe(time.perf_counter() - started)

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

    def __init__(self, services: Any, notifiers: list[Notifier], translate: Translate, lease: SchedulerLease | None = None,
                 registry: ProcessRegistry | None = None):
        self.services, self.translate = services, translate
        self.registry = registry
        self.leader_job_ids: set[str] = set()
        self.channels: set[str] = set()
        self.lease = lease or SchedulerLease(services.engine)
        self.scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                        "misfire_grace_time": 60})
        cfg = services.settings.jobs
        for notifier in notifiers:
            self.add_notifier(notifier)
        if registry is not None:
            self.scheduler.add_job(_guard("heartbeat", self.heartbeat), "interval", seconds=cfg.heartbeat_s,
                                   id="heartbeat", next_run_time=services.clock())
        self.scheduler.add_job(_guard("outbox-depth", lambda: measure_depth(services.uow, services.clock())), "interval",
                               seconds=cfg.depth_every_s, id="outbox-depth", next_run_time=services.clock())
        if self.lease.sqlite:
            self.lease.held = True
            SCHEDULER_LEADER.set(1)
            self._add_leader_jobs(catch_up=False)
        else:
            self.scheduler.add_job(self.check_lease, "interval", seconds=cfg.leader_retry_s, id="lease",
                                   next_run_time=services.clock())

    def add_notifier(self, notifier: Notifier) -> None:
        """A channel's outbox sender; may come after start (Telegram, once it answers)."""
        services = self.services
        policy = send_policy(services.settings, notifier.channel, self.registry)
        self.channels.add(notifier.channel)
        self.scheduler.add_job(
            _guard(f"outbox-{notifier.channel}",
                   lambda n=notifier, p=policy: drain(services.uow, n, now=services.clock, policy=p,
                                                      translate=self.translate, budget_s=60), metric="outbox"),
            "interval", seconds=services.settings.jobs.outbox_every_s, id=f"outbox-{notifier.channel}",
            next_run_time=services.clock(), replace_existing=True)

    async def heartbeat(self) -> int:
        """Our heartbeat, and the claims of processes that are gone taken over (see jobs/heartbeat.py)."""
        await self.registry.beat()
        orphaned = await self.registry.reap()
        ORPHANED_CLAIMS.inc(orphaned)
        return orphaned

    @property
    def leading(self) -> bool:
        return self.lease.held

    async def check_lease(self) -> None:
        was = self.lease.held
        now_held = await self.lease.check()
        SCHEDULER_LEADER.set(1 if now_held else 0)
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
        SCHEDULER_LEADER.set(0)
        if self.registry is not None:
            await self.registry.unregister()
