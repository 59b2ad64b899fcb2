"""Bills of materials: which components, and how many of each, make one parent product."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import qty_field


class BillOfMaterial(SQLModel, table=True):
    __tablename__ = "bills_of_materials"
    __table_args__ = (sa.UniqueConstraint("parent_product_id", "component_product_id"),)
    id: int | None = Field(default=None, primary_key=True)
    parent_product_id: int = Field(foreign_key="products.id", index=True)
    component_product_id: int = Field(foreign_key="products.id", index=True)
    quantity: Decimal = qty_field(1)
