"""Prometheus metrics served on /metrics (docs/operations.md lists the alerts built on them).

Defined here, in bot/, and fed by the channels, the dialogue and the jobs; domain code
stays free of them."""
from prometheus_client import Counter, Gauge, Histogram

from jobs.metrics import (  # noqa: F401  (served with the rest)
    JOB_LAST_SUCCESS, JOB_RUNS, JOB_SECONDS, ORPHANED_CLAIMS, OUTBOX_DEPTH, OUTBOX_OLDEST, OUTBOX_SENDS, SCHEDULER_LEADER,
)

# Messages people send, per channel (telegram, console, sms, voice).
UPDATES = Counter("qm_updates_total", "Messages handled", ["channel", "kind"])
OUTCOMES = Counter("qm_update_outcomes_total",
                   "Messages handled by outcome: ok, refused (a clear 'no' to bad input or missing rights), "
                   "duplicate (a redelivery, ignored), unavailable (database down), error (a bug)",
                   ["channel", "outcome"])
ERRORS = Counter("qm_update_errors_total", "Messages whose handling failed in a channel adapter", ["channel"])
LATENCY = Histogram("qm_update_seconds", "Time to handle one message (dialogue only)", ["channel"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
REPLY_LATENCY = Histogram("qm_reply_seconds", "From receiving a message to its reply handed to the channel",
                          ["channel"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
OUTBOUND = Counter("qm_outbound_total", "Replies sent straight back in a conversation", ["channel"])

# Twilio: SMS in and out, delivery callbacks, calls.
SMS = Counter("qm_sms_total", "SMS by direction and status (inbound: answered, limited, unavailable; "
              "outbound: sent, failed, opted_out; callback: Twilio's MessageStatus)", ["direction", "status"])
CALLS = Counter("qm_calls_total", "Voice call steps by outcome", ["step", "outcome"])

# Parts of the process (1 up, 0 down) as /healthz reports them.
PART_UP = Gauge("qm_part_up", "Each part of the process as /healthz sees it: 1 up, 0 down or off", ["part"])

# Understanding people.
NLU_CONFIDENCE = Histogram("qm_nlu_confidence", "Confidence of the intent chosen for free text",
                           buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0))
NLU_RESULTS = Counter("qm_nlu_results_total", "Free text by what followed: acted, clarified (asked which of two), "
                      "not_understood", ["result"])
BARCODE_DECODES = Counter("qm_barcode_decodes_total", "Barcode photos decoded: found (at least one code), none",
                          ["result"])
