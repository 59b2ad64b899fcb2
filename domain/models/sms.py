"""SMS consent kept per phone number, whichever customer or contact holds it."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_field


class SmsOptOut(SQLModel, table=True):
    __tablename__ = "sms_opt_outs"
    phone: str = Field(primary_key=True)  # E.164
    opted_out_at: datetime = ts_field(default_now=True)
    keyword: str | None = None  # what they sent: STOP, СТОП...
