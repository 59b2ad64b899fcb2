"""Invoices, payments, and the counters that number documents."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from .base import qty_field, ts_field


class Counter(SQLModel, table=True):
    """Gap-free document numbers: the row is locked while the next number is taken."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True)  # "sales_order", "invoice"
    value: int = 0


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    issued_on: date
    due_on: date = Field(index=True)
    amount: Decimal = qty_field()
    currency: str = "EUR"
    paid: Decimal = qty_field()
    status: str = Field(default="open", index=True)  # open | paid | cancelled
    kind: str = Field(default="invoice", index=True)  # invoice | credit_note (amount > 0, credited to the customer)
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id")  # invoiced by delivery: the shipment billed
    created_at: datetime = ts_field(default_now=True)


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    amount: Decimal = qty_field()
    paid_on: date
    method: str | None = None
    credit_note_id: int | None = Field(default=None, foreign_key="invoices.id")  # paid by applying this credit note
    user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
