"""Sales orders and the daily sales history used for planning."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import money_field, qty_field, ts_field


class OrderStatus(StrEnum):
    draft = "draft"
    confirmed = "confirmed"
    reserved = "reserved"
    picking = "picking"
    packed = "packed"
    partially_shipped = "partially_shipped"  # a part left; the rest is owed (a backorder)
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"


class SalesOrder(SQLModel, table=True):
    __tablename__ = "sales_orders"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    status: str = Field(default=OrderStatus.draft, index=True)
    priority: int = 0  # higher first: 1 = urgent
    order_date: date | None = None
    promised_date: date | None = None
    deal_id: int | None = Field(default=None, foreign_key="deals.id")
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    shipped_at: datetime | None = ts_field(nullable=True)
    delivered_at: datetime | None = ts_field(nullable=True)


class SalesOrderLine(SQLModel, table=True):
    __tablename__ = "sales_order_lines"
    __table_args__ = (sa.UniqueConstraint("order_id", "line_no"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    line_no: int
    product_id: int = Field(foreign_key="products.id", index=True)
    quantity: Decimal = qty_field()
    price: Decimal | None = money_field()
    discount_pct: Decimal = qty_field(0)
    reserved_qty: Decimal = qty_field()
    picked_qty: Decimal = qty_field()
    shipped_qty: Decimal = qty_field()
    cancelled_qty: Decimal = qty_field()  # no longer owed: ordered = shipped + backordered + cancelled
    returned_qty: Decimal = qty_field()  # came back after shipping (credited)

    @property
    def backordered(self) -> Decimal:
        """Still owed to the customer: neither shipped nor cancelled."""
        return self.quantity - self.shipped_qty - self.cancelled_qty


class Shipment(SQLModel, table=True):
    """One departure of goods for an order; an order shipped in parts has several."""

    __tablename__ = "shipments"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    shipped_at: datetime = ts_field(default_now=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")


class ShipmentLine(SQLModel, table=True):
    __tablename__ = "shipment_lines"
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", index=True)
    order_line_id: int = Field(foreign_key="sales_order_lines.id", index=True)
    quantity: Decimal = qty_field()


class SalesHistory(SQLModel, table=True):
    """Units shipped per day, product and warehouse (imported when order history lives elsewhere)."""

    __tablename__ = "sales_history"
    __table_args__ = (sa.UniqueConstraint("day", "warehouse_id", "product_id"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    product_id: int = Field(foreign_key="products.id", index=True)
    quantity: Decimal = qty_field()
