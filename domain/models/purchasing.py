"""Suppliers, their terms per product, and purchase orders."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import money_field, qty_field, ts_field


class Supplier(SQLModel, table=True):
    __tablename__ = "suppliers"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str = Field(index=True)
    phone: str | None = None
    email: str | None = None
    currency: str = "EUR"
    requires_inspection: bool = False


class SupplierProduct(SQLModel, table=True):
    __tablename__ = "supplier_products"
    __table_args__ = (sa.UniqueConstraint("supplier_id", "product_id"),)
    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    price: Decimal | None = money_field()
    currency: str = "EUR"
    lead_time_days: int = 7
    moq: Decimal = qty_field(1)
    pack_multiple: Decimal = qty_field(1)
    preferred: bool = False


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_orders"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    # draft -> sent -> confirmed -> partially_received -> received / closed; cancelled (domain/purchasing/orders.py)
    status: str = Field(default="draft", index=True)
    order_date: date | None = None
    expected_date: date | None = None
    created_at: datetime = ts_field(default_now=True)
    sent_at: datetime | None = ts_field(nullable=True)
    sent_via: str | None = None  # email, phone
    confirmed_at: datetime | None = ts_field(nullable=True)
    confirmed_date: date | None = None  # the delivery date the supplier confirmed
    closed_at: datetime | None = ts_field(nullable=True)  # received in full, closed short, or cancelled


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (sa.UniqueConstraint("po_id", "line_no"),)
    id: int | None = Field(default=None, primary_key=True)
    po_id: int = Field(foreign_key="purchase_orders.id", index=True)
    line_no: int
    product_id: int = Field(foreign_key="products.id", index=True)
    quantity: Decimal = qty_field()
    received_quantity: Decimal = qty_field()
    price: Decimal | None = money_field()
