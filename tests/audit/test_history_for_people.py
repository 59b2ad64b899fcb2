"""History people can read: names, SKUs and bin codes instead of ids, every quantity change (the picked
quantity too), the stock moves in a product's and a bin's history, one date format per locale."""
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from domain import audit
from domain.inventory.ledger import post_move, virtual_location
from domain.inventory.picking import confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.reservations import reserve_order
from domain.models import Location, LocationKind, Product, SalesOrder, SalesOrderLine, Warehouse


async def _picked_order(services, people, customer):
    async with services.uow(actor=audit.Actor.person(people["boss"], "telegram")) as uow:
        s = uow.session
        wh = Warehouse(code="MAIN", name="Main")
        s.add(wh)
        p = Product(sku="WID-001", name="Blue widget", price=Decimal(10))
        s.add(p)
        await s.flush()
        s.add(Location(warehouse_id=wh.id, code="A-01-01", zone="A", aisle="01", level="01"))
        await s.flush()
        o = SalesOrder(number="1042", customer_id=customer.id, warehouse_id=wh.id, status="confirmed",
                       promised_date=date(2026, 12, 8))
        s.add(o)
        await s.flush()
        s.add(SalesOrderLine(order_id=o.id, line_no=1, product_id=p.id, quantity=Decimal(50), price=Decimal(10)))
        bin_ = (await s.exec(Location.__table__.select().where(Location.code == "A-01-01"))).first()
        await post_move(s, product_id=p.id, from_location=await virtual_location(s, LocationKind.adjustment),
                        to_location=await s.get(Location, bin_.id), quantity=Decimal(33), reason="opening")
        await reserve_order(s, o)
        await uow.commit()
    async with services.uow(actor=audit.Actor.person(people["wh"], "telegram")) as uow:
        s = uow.session
        step = await start_pick(s, await s.get(SalesOrder, o.id), people["wh"])
        step = await scan_pick_bin(s, step.pick_list_id, people["wh"], "A-01-01")
        step = await scan_pick_product(s, step.pick_list_id, people["wh"], "WID-001")
        await confirm_pick_quantity(s, step.pick_list_id, people["wh"], 33)
        await uow.commit()


async def test_order_history_shows_the_pick_with_names(chat, customer, services, people):
    await _picked_order(services, people, customer)
    reply = await chat("boss").text("/history order 1042")
    assert "Georgi Floor (telegram): line 1: changed (reserved: 33 → 0, picked: 0 → 33)" in reply
    assert "picker: Georgi Floor" in reply  # the pick list names its picker
    assert "product: WID-001" in reply and "customer: C0001" in reply
    for raw in ("product_id", "picker_id", "customer_id", "warehouse_id"):
        assert raw not in reply
    # dates as the reader's locale writes them, the same way as the time of each change
    assert f"promised date: {format_date(date(2026, 12, 8), 'short', locale='en_GB')}" in reply


async def test_product_and_bin_histories_include_their_stock_moves(chat, customer, services, people):
    await _picked_order(services, people, customer)
    boss = chat("boss")
    product = await boss.text("/history product WID-001")
    assert "Georgi Floor (telegram): moved 33 WID-001: A-01-01 → DOCK-OUT (pick, 1042)" in product
    assert "Elena Boss (telegram): moved 33 WID-001: VIRTUAL/ADJUSTMENT → A-01-01 (opening, —)" in product
    assert "created (SKU: WID-001, name: Blue widget" in product  # and the product's own changes
    location = await boss.text("/history location A-01-01")
    assert "moved 33 WID-001: A-01-01 → DOCK-OUT (pick, 1042)" in location
    ru = await chat("ru").text("/history product WID-001")
    assert "WID-001" in ru and "A-01-01 → DOCK-OUT" in ru
