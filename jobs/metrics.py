"""Metrics of the outbox and the scheduled jobs (served on /metrics with bot/metrics.py)."""
from prometheus_client import Counter, Gauge, Histogram

# What the outbox sends on its own (reminders, reports, order SMS, mailings).
OUTBOX_SENDS = Counter("qm_outbox_sends_total",
                       "Outbox sends by outcome: sent, reconciled (found already delivered after a crash), "
                       "retried, failed (given up), held (opted out, quiet hours)", ["channel", "outcome"])
OUTBOX_DEPTH = Gauge("qm_outbox_depth", "Outbox rows waiting (pending or sending), per channel", ["channel", "status"])
OUTBOX_OLDEST = Gauge("qm_outbox_oldest_seconds", "Age of the oldest due row not yet sent, per channel", ["channel"])
ORPHANED_CLAIMS = Counter("qm_orphaned_claims_total", "Outbox sends left by a process that died, taken over")

# Scheduled jobs.
JOB_RUNS = Counter("qm_job_runs_total", "Scheduled job runs by outcome (ok, failed)", ["job", "outcome"])
JOB_SECONDS = Histogram("qm_job_seconds", "Duration of scheduled job runs", ["job"],
                        buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300))
JOB_LAST_SUCCESS = Gauge("qm_job_last_success_timestamp_seconds", "When each job last ran without failing", ["job"])
SCHEDULER_LEADER = Gauge("qm_scheduler_leader", "1 while this process runs the deployment's timed jobs")
