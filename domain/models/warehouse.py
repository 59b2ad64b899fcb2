"""Warehouse work: reservations, receipts with their inspection, pick lists
with per-step progress, counts awaiting approval, transfers, and the small
tasks (put-away, replenishment) handed to the next free worker.

Every row here records *work*; stock itself changes only through the ledger
(StockMove / StockQuant). Progress is persisted so a dialogue interrupted in
the middle of a step resumes exactly there.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import optional_qty_field, qty_field, ts_field


class StockReservation(SQLModel, table=True):
    """Stock set aside for one sales-order line in one bin (and lot).

    `quantity` is what is still reserved; a pick lowers it. The same amount is
    mirrored in StockQuant.reserved, changed in the same transaction.
    """

    __tablename__ = "stock_reservations"
    __table_args__ = (
        sa.UniqueConstraint("order_line_id", "location_id", "lot"),
        sa.CheckConstraint("quantity >= 0", name="ck_reservation_nonneg"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    order_line_id: int = Field(foreign_key="sales_order_lines.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    location_id: int = Field(foreign_key="locations.id", index=True)
    lot: str = ""
    expiry: date | None = None
    quantity: Decimal = qty_field()
    created_at: datetime = ts_field(default_now=True)


class ReceiptStatus(StrEnum):
    booked = "booked"


class Receipt(SQLModel, table=True):
    __tablename__ = "receipts"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id")
    po_id: int | None = Field(default=None, foreign_key="purchase_orders.id", index=True)
    status: str = ReceiptStatus.booked
    user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class InspectionStatus(StrEnum):
    not_required = "not_required"
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class ReceiptLine(SQLModel, table=True):
    __tablename__ = "receipt_lines"
    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(foreign_key="receipts.id", index=True)
    po_line_id: int | None = Field(default=None, foreign_key="purchase_order_lines.id")
    product_id: int = Field(foreign_key="products.id")
    quantity: Decimal = qty_field()
    lot: str = ""
    expiry: date | None = None
    location_id: int = Field(foreign_key="locations.id")  # where it was booked: dock or quarantine
    inspection: str = Field(default=InspectionStatus.not_required, index=True)
    inspected_by_id: int | None = Field(default=None, foreign_key="users.id")
    inspected_at: datetime | None = ts_field(nullable=True)
    inspection_note: str | None = None


class PickListStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class PickList(SQLModel, table=True):
    __tablename__ = "pick_lists"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_orders.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    picker_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    status: str = Field(default=PickListStatus.open, index=True)
    packing_location_id: int = Field(foreign_key="locations.id")
    created_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id")  # set when its goods left


class PickStepKind(StrEnum):
    """What the picker is expected to do next on a pick task."""

    scan_bin = "scan_bin"
    scan_product = "scan_product"
    enter_quantity = "enter_quantity"
    done = "done"


class PickTask(SQLModel, table=True):
    """One bin visit of a pick list: take `quantity` of a product (and lot) from a bin."""

    __tablename__ = "pick_tasks"
    __table_args__ = (sa.UniqueConstraint("pick_list_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    pick_list_id: int = Field(foreign_key="pick_lists.id", index=True)
    seq: int  # walking order
    order_line_id: int = Field(foreign_key="sales_order_lines.id")
    reservation_id: int = Field(foreign_key="stock_reservations.id")
    product_id: int = Field(foreign_key="products.id")
    location_id: int = Field(foreign_key="locations.id")
    lot: str = ""
    expiry: date | None = None
    quantity: Decimal = qty_field()
    picked_qty: Decimal = qty_field()
    short_qty: Decimal = qty_field()
    step: str = PickStepKind.scan_bin
    done_at: datetime | None = ts_field(nullable=True)


class TaskKind(StrEnum):
    putaway = "putaway"
    replenish = "replenish"


class TaskStatus(StrEnum):
    open = "open"
    assigned = "assigned"
    done = "done"
    cancelled = "cancelled"


class WarehouseTask(SQLModel, table=True):
    """A move someone has to make: put received goods away, refill a pick face."""

    __tablename__ = "warehouse_tasks"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    status: str = Field(default=TaskStatus.open, index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    lot: str = ""
    expiry: date | None = None
    from_location_id: int = Field(foreign_key="locations.id")
    to_location_id: int | None = Field(default=None, foreign_key="locations.id")  # proposed destination, if any
    quantity: Decimal = qty_field()
    done_qty: Decimal = qty_field()
    document: str | None = None
    assigned_to_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    done_location_id: int | None = Field(default=None, foreign_key="locations.id")
    created_at: datetime = ts_field(default_now=True)
    done_at: datetime | None = ts_field(nullable=True)


class CountStatus(StrEnum):
    counting = "counting"
    awaiting_approval = "awaiting_approval"
    done = "done"
    rejected = "rejected"


class CountTask(SQLModel, table=True):
    """A blind count of one bin: expected quantities are snapshotted only when the count is finished."""

    __tablename__ = "count_tasks"
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="locations.id", index=True)
    status: str = Field(default=CountStatus.counting, index=True)
    counted_by_id: int | None = Field(default=None, foreign_key="users.id")
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)
    decided_at: datetime | None = ts_field(nullable=True)


class CountLine(SQLModel, table=True):
    __tablename__ = "count_lines"
    __table_args__ = (sa.UniqueConstraint("count_task_id", "product_id", "lot"),)
    id: int | None = Field(default=None, primary_key=True)
    count_task_id: int = Field(foreign_key="count_tasks.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    lot: str = ""
    counted_qty: Decimal = qty_field()
    expected_qty: Decimal | None = optional_qty_field()  # snapshot taken when the count is finished
    expiry: date | None = None
    seen: bool = True  # False: a lot the records hold that the counter did not report (counted as zero)


class TransferStatus(StrEnum):
    in_transit = "in_transit"
    received = "received"


class Transfer(SQLModel, table=True):
    __tablename__ = "transfers"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    from_warehouse_id: int = Field(foreign_key="warehouses.id")
    to_warehouse_id: int = Field(foreign_key="warehouses.id")
    transit_location_id: int = Field(foreign_key="locations.id")
    status: str = Field(default=TransferStatus.in_transit, index=True)
    sent_by_id: int | None = Field(default=None, foreign_key="users.id")
    received_by_id: int | None = Field(default=None, foreign_key="users.id")
    sent_at: datetime = ts_field(default_now=True)
    received_at: datetime | None = ts_field(nullable=True)


class TransferLine(SQLModel, table=True):
    __tablename__ = "transfer_lines"
    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(foreign_key="transfers.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    lot: str = ""
    expiry: date | None = None
    quantity: Decimal = qty_field()
    from_location_id: int = Field(foreign_key="locations.id")
    to_location_id: int | None = Field(default=None, foreign_key="locations.id")
