"""The small company the backorder tests share: one warehouse with 33 blue widgets in A-01-01,
20 more on purchase order PO-7 due in five days, ACME (SMS consent, English), a manager and a
warehouse worker on Telegram."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.inventory.ledger import post_move, virtual_location
from domain.models import (
    Barcode, Customer, Location, LocationKind, Product, PurchaseOrder, PurchaseOrderLine, Role, Supplier,
    SupplierProduct, User, Warehouse,
)

PHONE = "+359888100001"
EAN = "4006381333931"


async def add_backorder_company(s, *, boss: int, worker: int) -> date:
    """Adds it to session `s` (the caller commits); returns PO-7's expected date."""
    wh = Warehouse(code="MAIN", name="Main")
    s.add(wh)
    p = Product(sku="WID-001", name="Blue widget", price=Decimal("10.00"), currency="EUR")
    sup = Supplier(code="NORD", name="Nord")
    s.add_all([p, sup])
    await s.flush()
    s.add(Barcode(code=EAN, product_id=p.id))
    s.add(SupplierProduct(supplier_id=sup.id, product_id=p.id, lead_time_days=12, preferred=True))
    a1 = Location(warehouse_id=wh.id, code="A-01-01", zone="A", aisle="01", level="01", kind="storage", barcode="LOCA0101")
    a2 = Location(warehouse_id=wh.id, code="A-01-02", zone="A", aisle="01", level="02", kind="storage", barcode="LOCA0102")
    s.add_all([a1, a2])
    s.add(Customer(code="ACME", name="ACME Ltd", phone=PHONE, sms_consent=True, language="en", home_warehouse_id=wh.id))
    s.add(User(name="Elena Boss", role=Role.manager, telegram_id=boss))
    s.add(User(name="Ivan", role=Role.warehouse, telegram_id=worker, home_warehouse_id=wh.id))
    await s.flush()
    await post_move(s, product_id=p.id, from_location=await virtual_location(s, LocationKind.adjustment), to_location=a1,
                    quantity=Decimal(33), reason="opening")
    expected = date.today() + timedelta(days=5)
    po = PurchaseOrder(number="PO-7", supplier_id=sup.id, warehouse_id=wh.id, status="sent", expected_date=expected)
    s.add(po)
    await s.flush()
    s.add(PurchaseOrderLine(po_id=po.id, line_no=1, product_id=p.id, quantity=Decimal(20)))
    return expected
