"""People who use the assistant, and the invites that let them in."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_field


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    sales = "sales"
    warehouse = "warehouse"


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str = Field(index=True)
    language: str = "en"
    timezone: str = "Europe/Sofia"
    telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger(), unique=True, nullable=True)
    console_name: str | None = Field(default=None, unique=True, nullable=True)
    phone: str | None = None
    email: str | None = None  # reports by e-mail for people who are not on Telegram
    blocked: bool = False
    home_warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    created_at: datetime = ts_field(default_now=True)


class Invite(SQLModel, table=True):
    __tablename__ = "invites"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    role: str
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field()
    used_at: datetime | None = ts_field(nullable=True)
    used_by_id: int | None = Field(default=None, foreign_key="users.id")
