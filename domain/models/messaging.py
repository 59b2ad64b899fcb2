"""The outbox: every message the system sends on its own is first a row here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class Outbox(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_due", "status", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str  # telegram | sms
    recipient: str  # chat id or E.164 phone
    body: str
    payload: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())  # buttons, attachments...
    cause: str | None = Field(default=None, index=True)  # e.g. "reminder:17", "mailing:3"
    priority: int = 0  # higher is claimed first: a mailing (-1) never delays an order's SMS or a reminder (0)
    status: str = "pending"  # pending | sending | sent | failed | skipped
    attempts: int = 0
    not_before: datetime = ts_field(default_now=True)
    claimed_at: datetime | None = ts_field(nullable=True)
    claimed_by: str | None = None  # the process (processes.id) sending it; released when that process is gone
    provider_id: str | None = None
    error: str | None = None
    delivery_status: str | None = None  # from the provider's status callbacks: delivered, undelivered, failed...
    created_at: datetime = ts_field(default_now=True)
    sent_at: datetime | None = ts_field(nullable=True)


class EarlyDeliveryStatus(SQLModel, table=True):
    """A delivery callback that came before its outbox row recorded the provider's id (the answer to
    the send was lost, or the callback overtook our commit); applied when the id is recorded."""

    __tablename__ = "outbox_early_status"
    provider_id: str = Field(primary_key=True)
    delivery_status: str
    error: str | None = None
    received_at: datetime = ts_field(default_now=True)
