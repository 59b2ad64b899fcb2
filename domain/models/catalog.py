"""Products and the barcodes that identify them (several per product, packs carry a quantity)."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Field, SQLModel

from .base import money_field, qty_field


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, index=True)
    name: str = Field(index=True)
    unit: str = "pcs"
    category: str | None = None
    aliases: str = ""  # comma-separated other names people use
    lot_tracked: bool = False
    expiry_tracked: bool = False
    requires_inspection: bool = False
    price: Decimal | None = money_field()
    currency: str = "EUR"
    service_level: str | None = None  # planning class, e.g. A/B/C
    active: bool = True


class Barcode(SQLModel, table=True):
    __tablename__ = "barcodes"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    pack_qty: Decimal = qty_field(1)
