"""Per-person budgets for expensive work: barcode photos, voice notes, reports and
exports, spreadsheet imports; per phone number for inbound SMS and calls.

Moving windows from the `limits` library, one key per (kind, person), in this
process's memory. Why in-process is right here, and where it is not:
the work being rationed (decoding a photo, transcribing audio, drawing a chart)
burns the CPU of the process that received the message, so a budget per process
protects exactly the resource at stake. SQLite deployments and Telegram long
polling have one receiving process anyway. With N `qm run` processes behind a
load-balanced webhook one person may get up to N times the budget in total (each
process still only does its own share); a deployment that needs one global count
would give `limits` a shared storage (Redis, memcached) — this project has none,
and the database is no place for a counter bumped on every photo.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from domain.errors import N_, Np_

# What a refusal says, per kind ({seconds}: until one more is allowed).
REFUSALS = {
    "message": N_("You are sending messages faster than I can read them: please wait {seconds} s, then send the last one again."),
    "photo": N_("Too many photos at once: please wait {seconds} s, then send it again."),
    "voice": N_("Too many voice notes at once: please wait {seconds} s, then send it again."),
    "report": N_("Too many reports at once: please wait {seconds} s, then ask again."),
    "file": N_("Too many files at once: please wait {seconds} s, then send it again."),
    "sms": N_("Too many messages from this number: please wait {seconds} s, then text again."),
    # spoken in full: the number of seconds takes the language's plural form (ru секунду/секунды/секунд)
    "call": Np_("Too many calls from this number. Please call again in {seconds} second. Goodbye.",
                "Too many calls from this number. Please call again in {seconds} seconds. Goodbye.", "seconds"),
}


def parse_spec(spec: str) -> list[RateLimitItem]:
    """"10/minute", "5 per 10 seconds", "5/minute;30/hour"; "" = no limit. ValueError when malformed."""
    return parse_many(spec) if spec.strip() else []


@dataclass(frozen=True)
class Verdict:
    wait_s: float = 0.0  # 0: allowed (and counted)
    first_refusal: bool = False  # the first refusal since the budget ran out (channels that pay per reply answer only this one)

    @property
    def allowed(self) -> bool:
        return self.wait_s <= 0

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.wait_s))


class RateLimiter:
    def __init__(self, specs: dict[str, str], clock: Callable[[], float] = time.time):
        self.items = {kind: parse_spec(spec) for kind, spec in specs.items()}
        self.clock = clock  # the limits storage reads time.time(); tests use real (short) windows
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self._told: dict[tuple[str, str], float] = {}  # (kind, who) -> refused until

    async def has_room(self, kind: str, who: str) -> bool:
        """Whether acquire(kind, who) would be allowed now, without counting anything."""
        for item in self.items.get(kind) or []:
            if not await self._window.test(item, kind, who):
                return False
        return True

    async def acquire(self, kind: str, who: str) -> Verdict:
        """Counts one `kind` for `who` when every limit of that kind has room; else how long to wait.
        A refused attempt is not counted, so waiting the time said is always enough."""
        items = self.items.get(kind) or []
        if not items:
            return Verdict()
        full = [item for item in items if not await self._window.test(item, kind, who)]
        if not full:
            for item in items:
                if not await self._window.hit(item, kind, who):  # taken meanwhile by a concurrent message
                    full.append(item)
            if not full:
                return Verdict()
        now = self.clock()
        wait = max([(await self._window.get_window_stats(item, kind, who)).reset_time for item in full]) - now
        wait = max(wait, 0.001)
        key = (kind, who)
        first = self._told.get(key, 0.0) <= now
        self._told[key] = now + wait
        if len(self._told) > 10_000:  # forget refusals that are over
            self._told = {k: until for k, until in self._told.items() if until > now}
        return Verdict(wait_s=wait, first_refusal=first)
