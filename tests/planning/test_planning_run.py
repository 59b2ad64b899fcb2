"""The planning run against a real database (SQLite or PostgreSQL)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, NotFound
from domain.models import (BillOfMaterial, Customer, PlanSuggestion, PurchaseOrderLine, SalesHistory, SalesOrder,
                           SalesOrderLine)
from domain.inventory.ledger import post_move, virtual_location
from domain.models import Location, LocationKind, User
from domain.planning import PlanningConfig, approve_suggestions, run_plan, set_reorder_rule, supplier_performance
from domain.purchasing.orders import mark_sent

from tests.planning.helpers import TODAY, history, product, purchase_order, stock, supplier, terms, warehouse

CFG = PlanningConfig(variability_days=28)
ALTERNATING = [10, 14] * 182 + [10]  # 365 days, mean 12, sd 2 over any even window


async def widget(session, **kw):
    wh = await warehouse(session)
    p = await product(session, "WID-001")
    s = await supplier(session)
    await terms(session, p, s, lead=7, moq=100, multiple=20)
    await history(session, p, wh, ALTERNATING)
    await stock(session, p, wh, 60, reserved=5)
    return wh, p, s


async def test_suggestion_with_reason_moq_and_multiple(session):
    await widget(session)
    result = await run_plan(session, config=CFG, today=TODAY)
    await session.commit()
    [s] = result.suggestions
    # 12/day (ma28 is exact on alternating demand), sd 2: ss = ceil(1.645*2*sqrt(7)) = 9,
    # rop = 84 + 9 = 93, up to 93 + 7*12 = 177; projected 55 -> need 122 -> MOQ 100, multiple 20 -> 140
    assert (s.method, s.forecast_per_day, s.safety_stock, s.reorder_point) == ("ma", 12.0, 9, 93)
    assert (s.projected, s.need, s.suggested_qty, s.supplier) == (55, 122, 140, "NORD")
    assert s.reason == ("Sells about 12 a day (moving average). Lead time 7 days. Safety stock 9 for 95% service, so the "
                        "reorder point is 93. Projected 55 = on hand 60 + in kits 0 + on order 0 − reserved 5 − picked for "
                        "orders 0 − owed to customers 0. Order 140: 122 are needed to reach 177, rounded up to the minimum "
                        "order 100 and the multiple of 20. No min/max set: suggested min 93 / max 177.")
    line = s.contract()
    assert list(line) == ["sku", "warehouse", "supplier", "method", "forecast_per_day", "lead_time_days",
                          "safety_stock", "reorder_point", "on_hand", "on_order", "reserved", "picked", "backordered",
                          "projected", "suggested_qty", "reason"]
    assert line["suggested_qty"] == 140 and isinstance(line["suggested_qty"], int)
    saved = (await session.exec(select(PlanSuggestion))).one()
    assert saved.suggested_qty == Decimal("140") and saved.run_id == result.run_id
    assert result.summary()["summary"]["suggestions"] == 1


async def test_picked_goods_are_not_available_and_backorders_are_demand(session):
    """An order of 45: 5 shipped, 20 more picked and waiting on the dock, 5 reserved, 15 owed with no stock."""
    wh, p, _ = await widget(session)
    c = Customer(code="C1", name="ACME")
    session.add(c)
    await session.flush()
    o = SalesOrder(number="1042", customer_id=c.id, warehouse_id=wh.id, status="partially_shipped")
    session.add(o)
    await session.flush()
    session.add(SalesOrderLine(order_id=o.id, line_no=1, product_id=p.id, quantity=Decimal(45), shipped_qty=Decimal(5),
                               picked_qty=Decimal(25), reserved_qty=Decimal(5)))
    draft = SalesOrder(number="1043", customer_id=c.id, warehouse_id=wh.id, status="draft")  # commits nothing yet
    session.add(draft)
    await session.flush()
    session.add(SalesOrderLine(order_id=draft.id, line_no=1, product_id=p.id, quantity=Decimal(99)))
    await session.flush()
    [s] = (await run_plan(session, config=CFG, today=TODAY, save=False)).suggestions
    assert (s.on_hand, s.reserved, s.picked, s.backordered, s.projected) == (60, 5, 20, 15, 20)
    assert "Projected 20 = on hand 60 + in kits 0 + on order 0 − reserved 5 − picked for orders 20 − owed to customers 15." in s.reason
    assert (s.contract()["picked"], s.contract()["backordered"]) == (20, 15)


async def test_open_purchase_order_prevents_a_second_suggestion(session):
    wh, p, s = await widget(session)
    first = await run_plan(session, config=CFG, today=TODAY)
    [po] = await approve_suggestions(session, today=TODAY)
    await session.commit()
    assert po.status == "draft" and po.number == "PO-20260601-001"
    [line] = (await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id))).all()
    assert line.quantity == Decimal("140") and line.price == Decimal("2.50")

    # A draft is not on order: the supplier does not know about it yet.
    drafted = await run_plan(session, config=CFG, today=TODAY)
    [ln] = drafted.lines
    assert ln.on_order == 0 and [s.sku for s in drafted.suggestions] == ["WID-001"]
    # ... but approving the product again while its draft waits would order it twice.
    assert await approve_suggestions(session, today=TODAY) == []

    buyer = User(name="Buyer", role="manager")
    session.add(buyer)
    await mark_sent(session, buyer, po, via="phone", today=TODAY)
    await session.commit()
    again = await run_plan(session, config=CFG, today=TODAY)
    assert again.suggestions == []
    [ln] = again.lines
    assert (ln.on_order, ln.projected) == (140, 195)
    # The old suggestion cannot be ordered twice.
    with pytest.raises(Conflict):
        await approve_suggestions(session, [first.suggestions[0].suggestion_id], today=TODAY)


async def test_partly_received_order_counts_what_is_still_to_come(session):
    wh, p, s = await widget(session)
    await purchase_order(session, "PO-OLD", s, wh, [(p, 100, 70)], status="partially_received")
    await purchase_order(session, "PO-DONE", s, wh, [(p, 500, 500)], status="received")
    await purchase_order(session, "PO-X", s, wh, [(p, 500, 0)], status="cancelled")
    [sug] = (await run_plan(session, config=CFG, today=TODAY)).suggestions
    assert (sug.on_order, sug.projected, sug.need, sug.suggested_qty) == (30, 85, 92, 100)


async def test_stale_suggestion_is_skipped_when_someone_ordered_meanwhile(session):
    wh, p, s = await widget(session)
    result = await run_plan(session, config=CFG, today=TODAY)
    await purchase_order(session, "PO-MANUAL", s, wh, [(p, 140, 0)], status="draft")
    orders = await approve_suggestions(session, [result.suggestions[0].suggestion_id], today=TODAY)
    assert orders == []
    saved = await session.get(PlanSuggestion, result.suggestions[0].suggestion_id)
    assert saved.status == "skipped"


async def test_kits_are_exploded_through_every_level(session):
    wh = await warehouse(session)
    s = await supplier(session)
    kit, box, screw = (await product(session, "KIT"), await product(session, "BOX"), await product(session, "SCREW"))
    await terms(session, screw, s, lead=10)
    await terms(session, box, s, lead=5)
    session.add_all([BillOfMaterial(parent_product_id=kit.id, component_product_id=box.id, quantity=Decimal(2)),
                     BillOfMaterial(parent_product_id=kit.id, component_product_id=screw.id, quantity=Decimal(1)),
                     BillOfMaterial(parent_product_id=box.id, component_product_id=screw.id, quantity=Decimal(3))])
    await history(session, kit, wh, [2] * 120)  # 2 kits a day
    await history(session, screw, wh, [1] * 120)  # and 1 loose screw a day
    await stock(session, kit, wh, 5)  # 5 finished kits on the shelf hold 35 screws
    result = await run_plan(session, config=CFG, today=TODAY)
    by_sku = {ln.sku: ln for ln in result.lines}
    assert by_sku["KIT"].is_kit and by_sku["KIT"].suggested_qty == 0
    # BOX is an assembly too (made from screws): not bought
    assert by_sku["BOX"].is_kit and by_sku["BOX"].forecast_per_day == pytest.approx(4)
    screw_line = by_sku["SCREW"]
    assert screw_line.forecast_per_day == pytest.approx(1 + 2 * 7)
    assert screw_line.dependent_per_day == pytest.approx(14)
    assert screw_line.kit_stock == 35  # 5 kits x 7 screws (2 boxes x 3 + 1)
    assert "in BOX, KIT" in screw_line.reason
    assert [x.sku for x in result.suggestions] == ["SCREW"]


async def test_shipped_sales_orders_are_demand(session):
    wh = await warehouse(session)
    p = await product(session, "SHIP-1")
    s = await supplier(session)
    await terms(session, p, s, lead=3)
    c = Customer(code="C1", name="Customer")
    session.add(c)
    await session.flush()
    for k in range(1, 57):
        when = datetime(2026, 6, 1, 10, tzinfo=timezone.utc) - timedelta(days=k)
        so = SalesOrder(number=f"SO-{k}", customer_id=c.id, warehouse_id=wh.id, status="shipped", shipped_at=when)
        session.add(so)
        await session.flush()
        session.add(SalesOrderLine(order_id=so.id, line_no=1, product_id=p.id, quantity=Decimal(5),
                                   shipped_qty=Decimal(5)))
    await session.flush()
    [sug] = (await run_plan(session, config=CFG, today=TODAY)).suggestions
    assert sug.forecast_per_day == pytest.approx(5.0)
    assert sug.reorder_point == 15 and sug.suggested_qty == 50  # 15 + 7 days x 5


async def test_min_max_rule_replaces_the_computed_policy(session):
    wh, p, s = await widget(session)
    await set_reorder_rule(session, "WID-001", "MAIN", 50, 80)
    result = await run_plan(session, config=CFG, today=TODAY)
    assert result.suggestions == []  # projected 55 > min 50
    [ln] = result.lines
    assert ln.has_rule and ln.suggested_min is None and "Min 50 / max 80, set by hand." in ln.reason
    await set_reorder_rule(session, "WID-001", "MAIN", 60, 90)
    [sug] = (await run_plan(session, config=CFG, today=TODAY)).suggestions
    assert sug.need == 35 and sug.suggested_qty == 100


async def test_one_warehouse_and_unknown_warehouse(session):
    await widget(session)
    other = await warehouse(session, "EAST")
    p2 = await product(session, "EAST-ONLY")
    await history(session, p2, other, [3] * 60)
    only_east = await run_plan(session, "EAST", config=CFG, today=TODAY)
    assert {ln.warehouse for ln in only_east.lines} == {"EAST"}
    assert [x.sku for x in only_east.suggestions] == ["EAST-ONLY"]
    assert only_east.suggestions[0].supplier is None and "No supplier on file." in only_east.suggestions[0].reason
    with pytest.raises(NotFound):
        await run_plan(session, "NOPE", config=CFG, today=TODAY)


async def receive(session, po, p, qty, day):
    dock = (await session.exec(select(Location).where(Location.warehouse_id == po.warehouse_id))).first()
    src = await virtual_location(session, LocationKind.supplier)
    move = await post_move(session, product_id=p.id, from_location=src, to_location=dock, quantity=qty,
                           reason="receipt", document=po.number)
    move.created_at = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
    session.add(move)
    await session.flush()


async def test_supplier_performance_and_observed_lead_time(session):
    wh, p, s = await widget(session)  # quoted 7 days
    start = TODAY - timedelta(days=200)
    for k in range(6):  # six orders, each promised in 7 days, delivered in 9 or 11
        ordered = start + timedelta(days=20 * k)
        po = await purchase_order(session, f"PO-H{k}", s, wh, [(p, 100, 0)], status="received",
                                  order_date=ordered, expected_date=ordered + timedelta(days=7))
        late = 9 if k % 2 else 11
        await receive(session, po, p, 90 if k == 0 else 100, ordered + timedelta(days=late))
    on_time = await purchase_order(session, "PO-H6", s, wh, [(p, 100, 0)], status="received",
                                   order_date=start, expected_date=start + timedelta(days=7))
    await receive(session, on_time, p, 100, start + timedelta(days=6))
    [perf] = await supplier_performance(session, "NORD", today=TODAY)
    assert perf.deliveries == 7
    assert perf.on_time_rate == pytest.approx(1 / 7)
    assert perf.fill_rate == pytest.approx(690 / 700)
    assert perf.lead_time_actual_days == pytest.approx((3 * 9 + 3 * 11 + 6) / 7)
    assert perf.lead_time_quoted_days == pytest.approx(7)
    with pytest.raises(NotFound):
        await supplier_performance(session, "NOBODY")

    [sug] = (await run_plan(session, config=CFG, today=TODAY)).lines  # the receipts filled the shelf
    assert sug.lead_time_source == "observed" and sug.lead_time_days == pytest.approx(66 / 7)
    assert "seen on 7 receipts of this product" in sug.reason


async def test_approval_groups_by_supplier_and_refuses_what_cannot_be_ordered(session):
    from domain.errors import InvalidInput

    wh, p, nord = await widget(session)
    south = await supplier(session, "SOUTH")
    q = await product(session, "GAD-002")
    await terms(session, q, south, lead=12, moq=1, multiple=6, price="9.90")
    await terms(session, q, nord, lead=3, preferred=False, price="8.00")  # cheaper but not preferred
    await history(session, q, wh, [4] * 90)
    orphan = await product(session, "ORPHAN")
    await history(session, orphan, wh, [1] * 90)
    result = await run_plan(session, config=CFG, today=TODAY)
    by_sku = {s.sku: s for s in result.suggestions}
    assert by_sku["GAD-002"].supplier == "SOUTH" and by_sku["GAD-002"].lead_time_days == 12
    assert by_sku["ORPHAN"].supplier is None
    with pytest.raises(InvalidInput):
        await approve_suggestions(session, [by_sku["ORPHAN"].suggestion_id], today=TODAY)
    with pytest.raises(NotFound):
        await approve_suggestions(session, [999999], today=TODAY)
    orders = await approve_suggestions(session, today=TODAY)
    assert [o.number for o in orders] == ["PO-20260601-001", "PO-20260601-002"]
    by_supplier = {o.supplier_id: o for o in orders}
    assert by_supplier[south.id].expected_date == TODAY + timedelta(days=12)
    lines = (await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == by_supplier[south.id].id))).all()
    assert [(ln.product_id, ln.quantity % 6, ln.price) for ln in lines] == [(q.id, 0, Decimal("9.90"))]
    left = (await session.exec(select(PlanSuggestion).where(PlanSuggestion.status == "open"))).all()
    assert [s.product_id for s in left] == [orphan.id]


async def test_fractional_history_and_days_outside_the_window(session):
    wh = await warehouse(session)
    p = await product(session, "KG-1")
    await history(session, p, wh, [0.5, 1.5] * 200)  # 400 days: the first 35 fall before the window
    session.add(SalesHistory(day=TODAY, warehouse_id=wh.id, product_id=p.id, quantity=Decimal(1000)))  # today: not yet
    await session.flush()
    [line] = (await run_plan(session, config=CFG, today=TODAY)).lines
    assert line.forecast_per_day == pytest.approx(1.0)
    assert line.sigma_per_day == pytest.approx(0.5)


async def test_empty_database_plans_nothing(session):
    result = await run_plan(session, config=CFG, today=TODAY)
    assert (result.lines, result.suggestions, result.products) == ([], [], 0)
    assert result.run_id is not None
