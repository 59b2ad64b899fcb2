"""Running `qm run` processes and their heartbeats: work a process claimed (outbox sends) is
released as soon as its heartbeat stops, instead of after the outbox's stale timeout."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_field


class ProcessBeat(SQLModel, table=True):
    __tablename__ = "processes"
    id: str = Field(primary_key=True)  # random per start: a restarted process is a new one
    host: str
    pid: int
    started_at: datetime = ts_field(default_now=True)
    heartbeat_at: datetime = ts_field(default_now=True)
