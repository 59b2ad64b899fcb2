"""Prometheus metrics served on /metrics."""
from prometheus_client import Counter, Histogram

UPDATES = Counter("qm_updates_total", "Messages handled", ["channel", "kind"])
ERRORS = Counter("qm_update_errors_total", "Messages whose handling failed in a channel adapter", ["channel"])
LATENCY = Histogram("qm_update_seconds", "Time to handle one message (dialogue only)", ["channel"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
OUTBOUND = Counter("qm_outbound_total", "Messages sent", ["channel"])
