"""A small warehouse to work in: bins in walking order, a pick face, products
of every kind (pieces, packs, lot and expiry tracked, kilograms), a supplier,
a customer, workers and a manager."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from domain.inventory.ledger import post_move, virtual_location
from domain.models import (
    Barcode, Customer, Location, LocationKind, Product, PurchaseOrder, PurchaseOrderLine, SalesOrder, SalesOrderLine,
    Supplier, User, Warehouse,
)


@dataclass
class World:
    wh: Warehouse
    wh2: Warehouse
    bins: dict[str, Location]
    products: dict[str, Product]
    supplier: Supplier
    customer: Customer
    worker: User
    worker2: User
    manager: User


async def add_stock(session, world: World, sku: str, bin_code: str, qty, lot: str = "", expiry: date | None = None):
    adj = await virtual_location(session, LocationKind.adjustment)
    await post_move(session, product_id=world.products[sku].id, from_location=adj, to_location=world.bins[bin_code],
                    quantity=Decimal(qty), reason="opening", lot=lot, expiry=expiry)


async def make_order(session, world: World, number: str, lines: list[tuple[str, int | str]], status="confirmed") -> SalesOrder:
    order = SalesOrder(number=number, customer_id=world.customer.id, warehouse_id=world.wh.id, status=status,
                       order_date=date(2026, 11, 20))
    session.add(order)
    await session.flush()
    for i, (sku, qty) in enumerate(lines, start=1):
        session.add(SalesOrderLine(order_id=order.id, line_no=i, product_id=world.products[sku].id,
                                   quantity=Decimal(str(qty)), price=Decimal("2.50")))
    await session.flush()
    return order


async def make_po(session, world: World, number: str, lines: list[tuple[str, int]], supplier=None) -> PurchaseOrder:
    po = PurchaseOrder(number=number, supplier_id=(supplier or world.supplier).id, warehouse_id=world.wh.id, status="sent")
    session.add(po)
    await session.flush()
    for i, (sku, qty) in enumerate(lines, start=1):
        session.add(PurchaseOrderLine(po_id=po.id, line_no=i, product_id=world.products[sku].id, quantity=Decimal(qty)))
    await session.flush()
    return po


async def build_world(session) -> World:
    wh = Warehouse(code="MAIN", name="Main warehouse")
    wh2 = Warehouse(code="EAST", name="East depot")
    session.add_all([wh, wh2])
    products = {
        "WID": Product(sku="WID", name="Widget"),
        "BOLT": Product(sku="BOLT", name="Bolt M8"),
        "MILK": Product(sku="MILK", name="Milk 1l", lot_tracked=True, expiry_tracked=True),
        "FLOUR": Product(sku="FLOUR", name="Flour", unit="kg"),
        "SERUM": Product(sku="SERUM", name="Serum", requires_inspection=True),
    }
    session.add_all(products.values())
    await session.flush()
    session.add_all([
        Barcode(code="4006381333931", product_id=products["WID"].id),
        Barcode(code="4006381333948", product_id=products["BOLT"].id),
        Barcode(code="14006381333945", product_id=products["BOLT"].id, pack_qty=Decimal(12)),
    ])

    def loc(code, zone, aisle, level, kind=LocationKind.storage, **kw):
        return Location(warehouse_id=wh.id, code=code, zone=zone, aisle=aisle, level=level, kind=kind, **kw)

    bins = {
        "B-03-01": loc("B-03-01", "B", "03", "01"),
        "A-01-02": loc("A-01-02", "A", "01", "02", barcode="LOC0000102"),
        "A-01-01": loc("A-01-01", "A", "01", "01"),
        "A-02-01": loc("A-02-01", "A", "02", "01"),
        "C-01-01": loc("C-01-01", "C", "01", "01"),
        "P-01": loc("P-01", "A", "00", "01", kind=LocationKind.pick, fixed_product_id=products["WID"].id,
                    min_qty=Decimal(5), max_qty=Decimal(20)),
    }
    session.add_all(bins.values())
    bins["E-01"] = Location(warehouse_id=wh2.id, code="E-01", zone="E", aisle="01", level="01")
    session.add(bins["E-01"])
    supplier = Supplier(code="NORD", name="Nord Supplies")
    customer = Customer(code="C001", name="Corner Shop", city="Sofia", country="BG", phone="+359888123456")
    session.add_all([supplier, customer])
    await session.flush()
    worker = User(name="Ivan", role="warehouse", home_warehouse_id=wh.id)
    worker2 = User(name="Maria", role="warehouse", home_warehouse_id=wh.id)
    manager = User(name="Elena", role="manager")
    session.add_all([worker, worker2, manager])
    await session.flush()
    return World(wh, wh2, bins, products, supplier, customer, worker, worker2, manager)


@pytest.fixture
async def world(session) -> World:
    w = await build_world(session)
    await session.commit()
    return w
