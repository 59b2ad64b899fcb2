"""The audit log: one row per change of a business record, written in the
transaction of the change (see domain/audit/)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_subject", "entity", "entity_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)  # UTC
    # Who: a person (actor_user_id), a customer (their phone in `actor`) or the system (a job's name).
    actor_user_id: int | None = Field(default=None, index=True)  # no foreign key: the log outlives what it names
    actor: str  # display name at the time of the change
    channel: str  # telegram | console | sms | voice | cli | import | job | system
    # What: the record the change belongs to (an order line's change belongs to its order).
    entity: str  # order, deal, product, customer, person, stock_move...
    entity_id: str
    label: str | None = None  # the subject's human reference at the time: order number, SKU, name
    part: str | None = None  # the child row that changed, "line:2", "barcode:400638..."; None = the record itself
    action: str  # created | changed | deleted
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())  # changed fields only
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())
