"""Warehouses, locations and the immutable stock ledger.

Every change of stock is a StockMove from one location to another; virtual
locations (supplier, customer, adjustment, scrap, transit) have no warehouse
bins. StockQuant is a cache of the ledger's sums per product, location and
lot, written in the same transaction as the move that changes it.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import optional_qty_field, qty_field, ts_field


class LocationKind(StrEnum):
    storage = "storage"
    pick = "pick"
    quarantine = "quarantine"
    dock = "dock"
    transit = "transit"
    supplier = "supplier"  # virtual
    customer = "customer"  # virtual
    adjustment = "adjustment"  # virtual: inventory gain/loss
    scrap = "scrap"  # virtual

    @property
    def virtual(self) -> bool:
        return self in (LocationKind.supplier, LocationKind.customer, LocationKind.adjustment, LocationKind.scrap)


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouses"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    allow_negative: bool = False
    timezone: str | None = None


class Location(SQLModel, table=True):
    __tablename__ = "locations"
    __table_args__ = (sa.UniqueConstraint("warehouse_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id", index=True)
    code: str
    kind: str = LocationKind.storage
    zone: str | None = None
    aisle: str | None = None
    level: str | None = None
    barcode: str | None = Field(default=None, unique=True, nullable=True)
    fixed_product_id: int | None = Field(default=None, foreign_key="products.id")
    min_qty: Decimal | None = optional_qty_field()  # pick faces: replenish below min, up to max
    max_qty: Decimal | None = optional_qty_field()


class StockMove(SQLModel, table=True):
    __tablename__ = "stock_moves"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="ck_move_positive"),
        sa.Index("ix_moves_product_created", "product_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    from_location_id: int = Field(foreign_key="locations.id", index=True)
    to_location_id: int = Field(foreign_key="locations.id", index=True)
    quantity: Decimal = qty_field()
    lot: str = ""
    expiry: date | None = None
    reason: str  # receipt, putaway, pick, ship, move, count, adjustment, transfer, opening
    document: str | None = Field(default=None, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class StockQuant(SQLModel, table=True):
    __tablename__ = "stock_quants"
    __table_args__ = (sa.UniqueConstraint("product_id", "location_id", "lot"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    location_id: int = Field(foreign_key="locations.id", index=True)
    lot: str = ""
    expiry: date | None = None
    quantity: Decimal = qty_field()
    reserved: Decimal = qty_field()
