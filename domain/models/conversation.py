"""Where each person's conversation stands, so a restart resumes it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    external_id: str
    user_id: int | None = Field(default=None, foreign_key="users.id")
    flow: str | None = None  # e.g. "pick"
    step: str | None = None  # e.g. "scan_bin"
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON())
    last_action: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())  # what /undo reverts
    updated_at: datetime = ts_field(default_now=True)


class ProcessedUpdate(SQLModel, table=True):
    """Idempotency keys of inbound events (Telegram update_id, Twilio MessageSid)."""

    __tablename__ = "processed_updates"
    key: str = Field(primary_key=True)
    created_at: datetime = ts_field(default_now=True)
