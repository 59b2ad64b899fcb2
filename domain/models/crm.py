"""Customers, their contacts and legal entities, interactions, deals, reminders."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import money_field, ts_field


class DealStage(StrEnum):
    new = "new"
    qualified = "qualified"
    proposal = "proposal"
    negotiation = "negotiation"
    won = "won"
    lost = "lost"


class Channel(StrEnum):
    call = "call"
    meeting = "meeting"
    sms = "sms"
    email = "email"


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str = Field(index=True)
    phone: str | None = Field(default=None, index=True)
    email: str | None = None
    city: str | None = None
    country: str | None = None
    language: str | None = None
    timezone: str | None = None
    tags: str = ""  # comma-separated, lower case
    aliases: str = ""  # comma-separated other names people use ("acme", "the ACME shop")
    sms_consent: bool = False
    home_warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    merged_into_id: int | None = Field(default=None, foreign_key="customers.id")
    created_at: datetime = ts_field(default_now=True)


class Counterparty(SQLModel, table=True):
    """A legal entity behind a customer (a customer may trade through several)."""

    __tablename__ = "counterparties"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    legal_name: str
    tax_id: str | None = None
    address: str | None = None


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (sa.UniqueConstraint("customer_id", "phone"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    name: str
    phone: str | None = Field(default=None, index=True)
    email: str | None = None
    role: str | None = None
    sms_consent: bool = False


class Interaction(SQLModel, table=True):
    __tablename__ = "interactions"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    channel: str  # Channel
    direction: str = "out"  # in | out
    outcome: str | None = None
    note: str | None = None
    occurred_at: datetime = ts_field(default_now=True, index=True)
    created_at: datetime = ts_field(default_now=True)


class Deal(SQLModel, table=True):
    __tablename__ = "deals"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    title: str
    amount: Decimal | None = money_field()
    currency: str = "EUR"
    stage: str = Field(default=DealStage.new, index=True)
    probability: int | None = None
    expected_close: date | None = None
    lost_reason: str | None = None
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    closed_at: datetime | None = ts_field(nullable=True)


class DealStageChange(SQLModel, table=True):
    """History of stage moves: the funnel's conversions are computed from it."""

    __tablename__ = "deal_stage_changes"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", index=True)
    from_stage: str | None = None
    to_stage: str
    user_id: int | None = Field(default=None, foreign_key="users.id")
    changed_at: datetime = ts_field(default_now=True)


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id")
    text: str
    due_at: datetime = ts_field(index=True)
    status: str = Field(default="pending", index=True)  # pending | sent | done | cancelled
    interaction_id: int | None = Field(default=None, foreign_key="interactions.id")  # the call it follows up
    sent_at: datetime | None = ts_field(nullable=True)  # handed to the outbox (once: status pending -> sent)
    done_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
