"""Arrange helpers for planning tests: a small company with history, stock and suppliers."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from domain.inventory.ledger import post_move, virtual_location
from domain.models import (Location, LocationKind, Product, PurchaseOrder, PurchaseOrderLine, SalesHistory,
                           StockQuant, Supplier, SupplierProduct, Warehouse)

TODAY = date(2026, 6, 1)


async def warehouse(session, code="MAIN") -> Warehouse:
    wh = (await session.exec(select(Warehouse).where(Warehouse.code == code))).first()
    if wh is None:
        wh = Warehouse(code=code, name=code.title())
        session.add(wh)
        await session.flush()
        session.add(Location(warehouse_id=wh.id, code=f"{code}-A1"))
        await session.flush()
    return wh


async def product(session, sku, *, service_level=None) -> Product:
    p = Product(sku=sku, name=f"Product {sku}", service_level=service_level)
    session.add(p)
    await session.flush()
    return p


async def supplier(session, code="NORD") -> Supplier:
    s = (await session.exec(select(Supplier).where(Supplier.code == code))).first()
    if s is None:
        s = Supplier(code=code, name=f"Supplier {code}")
        session.add(s)
        await session.flush()
    return s


async def terms(session, p, s, *, lead=7, moq=1, multiple=1, preferred=True, price="2.50") -> SupplierProduct:
    sp = SupplierProduct(supplier_id=s.id, product_id=p.id, lead_time_days=lead, moq=Decimal(moq),
                         pack_multiple=Decimal(multiple), preferred=preferred, price=Decimal(price))
    session.add(sp)
    await session.flush()
    return sp


async def history(session, p, wh, daily, *, today=TODAY):
    """daily[-1] is yesterday's quantity."""
    n = len(daily)
    for k, qty in enumerate(daily):
        if qty:
            session.add(SalesHistory(day=today - timedelta(days=n - k), warehouse_id=wh.id, product_id=p.id,
                                     quantity=Decimal(str(qty))))
    await session.flush()


async def stock(session, p, wh, qty, reserved=0):
    loc = (await session.exec(select(Location).where(Location.warehouse_id == wh.id))).first()
    adj = await virtual_location(session, LocationKind.adjustment)
    await post_move(session, product_id=p.id, from_location=adj, to_location=loc, quantity=qty, reason="opening")
    if reserved:
        q = (await session.exec(select(StockQuant).where(StockQuant.product_id == p.id,
                                                         StockQuant.location_id == loc.id))).one()
        q.reserved = Decimal(reserved)
        session.add(q)
        await session.flush()


async def purchase_order(session, number, s, wh, lines, *, status="sent", order_date=None, expected_date=None):
    po = PurchaseOrder(number=number, supplier_id=s.id, warehouse_id=wh.id, status=status,
                       order_date=order_date, expected_date=expected_date)
    session.add(po)
    await session.flush()
    for n, (p, qty, received) in enumerate(lines, start=1):
        session.add(PurchaseOrderLine(po_id=po.id, line_no=n, product_id=p.id, quantity=Decimal(qty),
                                      received_quantity=Decimal(received)))
    await session.flush()
    return po
