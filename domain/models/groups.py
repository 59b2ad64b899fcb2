"""Client groups: audiences for mailings and reports, by rule or by hand."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class ClientGroup(SQLModel, table=True):
    """kind "rule": members computed from `rule` each time, e.g.
    {"abc": ["A"], "xyz": ["X", "Y"], "city": ["Sofia"], "tag": ["key"]} (all given keys must match);
    kind "manual": members listed in client_group_members."""

    __tablename__ = "client_groups"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str = "manual"  # manual | rule
    rule: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON())
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class ClientGroupMember(SQLModel, table=True):
    __tablename__ = "client_group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "customer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="client_groups.id", index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
