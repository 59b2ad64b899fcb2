"""What each part of a running process reports to /healthz: the channels and the scheduler
say how they are doing here; the database is asked at each probe (bot/http/app.py)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .metrics import PART_UP

# A part's status: "ok" serves; "off" is not configured or switched off (fine);
# "starting", "retrying", "down", "failing" are degraded.
HEALTHY = {"ok", "off"}


@dataclass
class PartState:
    status: str
    detail: str = ""
    since: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = {"status": self.status, "since": self.since, **self.extra}
        if self.detail:
            out["detail"] = self.detail
        return out


class Health:
    def __init__(self) -> None:
        self.parts: dict[str, PartState] = {}
        self.changed_at: dict[str, float] = {}

    def set(self, part: str, status: str, detail: str = "", **extra: Any) -> None:
        old = self.parts.get(part)
        if old is not None and old.status == status:
            old.detail, old.extra = detail[:300], extra  # same state: keep its "since"
        else:
            self.parts[part] = PartState(status, detail[:300], extra=extra)
            self.changed_at[part] = time.monotonic()
        PART_UP.labels(part).set(1 if status == "ok" else 0)

    def status(self, part: str) -> str | None:
        state = self.parts.get(part)
        return state.status if state else None

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: state.as_json() for name, state in sorted(self.parts.items())}


class Watched:
    """A notifier whose outcomes are reported as a part's health (and counted)."""

    def __init__(self, notifier: Any, health: Health, part: str, on_outcome=None):
        self.inner, self.health, self.part, self.on_outcome = notifier, health, part, on_outcome
        self.channel = notifier.channel
        self.failures = 0

    async def send(self, recipient: str, body: str, payload: dict | None) -> str:
        from domain.outbox import PermanentFailure, RecipientOptedOut

        try:
            sid = await self.inner.send(recipient, body, payload)
        except PermanentFailure as exc:  # about this recipient, not the provider: the provider answered
            self._report("opted_out" if isinstance(exc, RecipientOptedOut) else "failed")
            self.failures = 0
            self.health.set(self.part, "ok")
            raise
        except Exception as exc:
            self.failures += 1
            self._report("error")
            self.health.set(self.part, "failing", f"{type(exc).__name__}: {exc}", consecutive_failures=self.failures)
            raise
        self.failures = 0
        self._report("sent")
        self.health.set(self.part, "ok")
        return sid

    async def lookup(self, row: Any):
        return await self.inner.lookup(row)

    def _report(self, outcome: str) -> None:
        if self.on_outcome is not None:
            self.on_outcome(outcome)
