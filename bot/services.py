"""What the dialogue and the channels need from the outside, built once by
the composition root (bot/app.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.uow import UnitOfWorkFactory

from .health import Health
from .ratelimits import RateLimiter
from .settings import Settings


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime] = system_clock
    parse: Callable[..., Any] | None = None  # nlu.parse
    decode_image: Callable[[bytes], list[Any]] | None = None  # barcode photos
    explain_photo: Callable[[bytes], Any] | None = None  # why a photo gave no code (a PhotoProblem)
    transcribe: Callable[..., Any] | None = None  # speech-to-text
    extras: dict[str, Any] = field(default_factory=dict)
    limiter: RateLimiter | None = None  # per-person budgets; built from settings.rate_limits when not given
    health: Health = field(default_factory=Health)  # what each part reports to /healthz

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = RateLimiter(self.settings.rate_limits.model_dump())
