"""What people chose when the assistant was unsure what they meant: material for retraining."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class NluCorrection(SQLModel, table=True):
    __tablename__ = "nlu_corrections"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    lang: str  # the message's language as detected
    text: str
    intent: str  # the reading the person chose
    offered: list[Any] = Field(default_factory=list, sa_type=sa.JSON())  # [[intent, score], ...] as shown
