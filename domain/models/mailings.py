"""SMS mailings to client groups, and the shared send pace of each outbox channel."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class Mailing(SQLModel, table=True):
    """draft -> queued (its outbox rows exist, committed in the same transaction) -> done
    (every row final; the summary to its author is an outbox row of that transaction), or cancelled."""

    __tablename__ = "mailings"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="client_groups.id", index=True)
    body: str  # template with {first_name} and {company}
    status: str = Field(default="draft", index=True)  # draft | queued | done | cancelled
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    send_at: datetime | None = ts_field(nullable=True)  # None = now
    recipients: int = 0  # outbox rows made when queued
    excluded: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())  # {"opted_out": n, "no_consent": n, ...}
    created_at: datetime = ts_field(default_now=True)
    queued_at: datetime | None = ts_field(nullable=True)
    finished_at: datetime | None = ts_field(nullable=True)


class OutboxPace(SQLModel, table=True):
    """The next free send slot of a channel, shared by every process: claims reserve slots
    here so the configured messages-per-second holds for the deployment, not per process."""

    __tablename__ = "outbox_pace"
    channel: str = Field(primary_key=True)
    next_at: datetime = ts_field(default_now=True)
