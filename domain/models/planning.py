"""Replenishment planning: bills of materials, min/max rules, plan runs and their suggestions."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import optional_qty_field, qty_field, ts_field


class BillOfMaterial(SQLModel, table=True):
    """One component line of a kit or assembly: `quantity` of the component per one parent."""

    __tablename__ = "bills_of_materials"
    __table_args__ = (
        sa.UniqueConstraint("parent_product_id", "component_product_id"),
        sa.CheckConstraint("quantity > 0", name="ck_bom_positive"),
        sa.CheckConstraint("parent_product_id <> component_product_id", name="ck_bom_not_self"),
    )
    id: int | None = Field(default=None, primary_key=True)
    parent_product_id: int = Field(foreign_key="products.id", index=True)
    component_product_id: int = Field(foreign_key="products.id", index=True)
    quantity: Decimal = qty_field(1)


class ReorderRule(SQLModel, table=True):
    """A min/max set by a person for a product in a warehouse; it overrides the computed
    reorder point (min) and order-up-to level (max)."""

    __tablename__ = "reorder_rules"
    __table_args__ = (sa.UniqueConstraint("product_id", "warehouse_id"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    min_qty: Decimal = qty_field()
    max_qty: Decimal = qty_field()
    updated_at: datetime = ts_field(default_now=True)


class PlanRun(SQLModel, table=True):
    __tablename__ = "plan_runs"
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")  # None = every warehouse
    products: int = 0  # product x warehouse pairs evaluated
    suggestions: int = 0
    seconds: float = 0.0
    created_at: datetime = ts_field(default_now=True, index=True)


class PlanSuggestion(SQLModel, table=True):
    """What one run suggests buying for a product in a warehouse, and why."""

    __tablename__ = "plan_suggestions"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="plan_runs.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id")
    method: str
    forecast_per_day: float
    lead_time_days: float
    safety_stock: Decimal = qty_field()
    reorder_point: Decimal = qty_field()
    order_up_to: Decimal = qty_field()
    on_hand: Decimal = qty_field()
    on_order: Decimal = qty_field()
    reserved: Decimal = qty_field()
    projected: Decimal = qty_field()
    suggested_qty: Decimal = qty_field()
    suggested_min: Decimal | None = optional_qty_field()  # when the product has no min/max rule
    suggested_max: Decimal | None = optional_qty_field()
    reason: str
    status: str = Field(default="open", index=True)  # open | approved | skipped
    po_id: int | None = Field(default=None, foreign_key="purchase_orders.id")
