"""Backorders, billing by delivery or by order, credit notes for returns and cancellations, payments
across invoices, and the expected date of what is owed."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import InvalidInput
from domain.inventory.picking import confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.reservations import reserve_order
from domain.inventory.shipping import pack_order, ship_order
from domain.inventory.tasks import confirm_task, next_task_for
from domain.models import Invoice, PickStepKind, SalesOrder, SalesOrderLine, StockReservation, SupplierProduct
from domain.orders.backorders import expected_date, owed_lines, serve_backorders
from domain.orders.invoices import issue_invoice, overdue_invoices, record_payment
from domain.orders.lifecycle import cancel_order, return_goods

from .conftest import add_stock, make_order, make_po

TODAY = date(2026, 12, 7)


async def _fulfil(session, world, order, policy="delivered"):
    step = await start_pick(session, order, world.worker)
    while step.expect != PickStepKind.done:
        if step.expect == PickStepKind.scan_bin:
            step = await scan_pick_bin(session, step.pick_list_id, world.worker, step.bin_code)
        elif step.expect == PickStepKind.scan_product:
            step = await scan_pick_product(session, step.pick_list_id, world.worker, step.sku)
        else:
            step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, step.quantity)
    await pack_order(session, order, world.worker)
    return await ship_order(session, order, world.worker, today=TODAY, invoice_policy=policy)


async def _invoices(session, order_id):
    return (await session.exec(select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id))).all()


async def test_expected_date_from_open_po_else_supplier_lead_time(session, world):
    wid = world.products["WID"].id
    assert await expected_date(session, wid, world.wh.id, today=TODAY) is None
    session.add(SupplierProduct(supplier_id=world.supplier.id, product_id=wid, lead_time_days=9))
    await session.flush()
    assert await expected_date(session, wid, world.wh.id, today=TODAY) == TODAY + timedelta(days=9)
    po = await make_po(session, world, "PO-1", [("WID", 5)])
    po.expected_date = TODAY + timedelta(days=3)
    await session.flush()
    assert await expected_date(session, wid, world.wh.id, today=TODAY) == TODAY + timedelta(days=3)


async def test_return_gets_a_credit_note_that_pays_the_open_invoice(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    order = await make_order(session, world, "SO-1", [("WID", 10)])  # 2.50 each
    await reserve_order(session, order)
    shipped = await _fulfil(session, world, order)
    assert shipped.status == "shipped" and shipped.invoice_number
    note = await return_goods(session, world.manager, order.id, world.products["WID"].id, Decimal(4), today=TODAY)
    [inv, cn] = await _invoices(session, order.id)
    assert (inv.amount, cn.kind, cn.amount) == (Decimal("25.00"), "credit_note", Decimal("10.00")) and cn.number == note.number
    assert inv.paid == Decimal("10.00") and cn.status == "paid"  # the credit went on the invoice
    with pytest.raises(InvalidInput, match="more than the 15"):
        await record_payment(session, world.manager, inv.number, Decimal("16"), paid_on=TODAY)
    await record_payment(session, world.manager, inv.number, Decimal("15"), paid_on=TODAY)
    assert inv.status == "paid"
    with pytest.raises(InvalidInput, match="Only 6"):
        await return_goods(session, world.manager, order.id, world.products["WID"].id, Decimal(7), today=TODAY)
    # the returned goods wait on the dock for a put-away
    offer = await next_task_for(session, world.worker)
    assert offer.quantity == 4 and offer.sku == "WID"
    assert [o for o in await overdue_invoices(session, today=TODAY + timedelta(days=60))] == []


async def test_payment_spills_over_to_the_next_open_invoice(session, world):
    await add_stock(session, world, "WID", "A-01-01", 4)
    order = await make_order(session, world, "SO-2", [("WID", 10)])
    await reserve_order(session, order)
    first = await _fulfil(session, world, order)
    assert first.status == "partially_shipped" and [(o.sku, o.quantity, o.waiting) for o in first.owed] == [("WID", 6, 6)]
    await add_stock(session, world, "WID", "A-01-02", 6)
    assert await serve_backorders(session, world.wh.id, [world.products["WID"].id]) == ["SO-2"]
    assert (await session.get(SalesOrder, order.id)).status == "reserved"
    second = await _fulfil(session, world, order)
    assert second.status == "shipped" and second.owed == [] and second.shipment_number == "SO-2/2"
    inv1, inv2 = await _invoices(session, order.id)
    assert (inv1.amount, inv2.amount) == (Decimal("10.00"), Decimal("15.00"))
    await record_payment(session, world.manager, inv1.number, Decimal("20"), paid_on=TODAY)
    assert (inv1.status, inv2.paid, inv2.status) == ("paid", Decimal("10.00"), "open")


async def test_backorders_are_served_by_priority_then_promised_date(session, world):
    late = await make_order(session, world, "SO-L", [("WID", 3)])
    late.promised_date = TODAY + timedelta(days=9)
    soon = await make_order(session, world, "SO-S", [("WID", 3)])
    soon.promised_date = TODAY + timedelta(days=2)
    urgent = await make_order(session, world, "SO-U", [("WID", 3)])
    urgent.priority = 1
    await session.flush()
    await add_stock(session, world, "WID", "A-01-01", 5)
    assert await serve_backorders(session, world.wh.id) == ["SO-U", "SO-S"]
    lines = {o.number: (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == o.id))).one()
             for o in (late, soon, urgent)}
    assert [lines[n].reserved_qty for n in ("SO-U", "SO-S", "SO-L")] == [3, 2, 0]


async def test_cancelling_the_rest_under_ordered_billing_credits_it(session, world):
    await add_stock(session, world, "WID", "A-01-01", 4)
    order = await make_order(session, world, "SO-3", [("WID", 10)])
    await reserve_order(session, order)
    await issue_invoice(session, order, today=TODAY, terms_days=14)  # billed on confirmation
    shipped = await _fulfil(session, world, order, "ordered")
    assert shipped.status == "partially_shipped" and shipped.invoice_number is None
    cancelled = await cancel_order(session, world.manager, order.id, today=TODAY)
    assert cancelled.order.status == "shipped"
    line = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
    assert (line.shipped_qty, line.cancelled_qty, line.backordered) == (4, 6, 0)
    inv, cn = await _invoices(session, order.id)
    assert (inv.amount, cn.kind, cn.amount, inv.paid) == (Decimal("25.00"), "credit_note", Decimal("15.00"), Decimal("15.00"))
    assert await owed_lines(session, order, today=TODAY) == []


async def test_cancelling_an_order_mid_pick_puts_the_picked_goods_back(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    order = await make_order(session, world, "SO-4", [("WID", 5)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    step = await scan_pick_bin(session, step.pick_list_id, world.worker, step.bin_code)
    step = await scan_pick_product(session, step.pick_list_id, world.worker, step.sku)
    await confirm_pick_quantity(session, step.pick_list_id, world.worker, 5)
    await cancel_order(session, world.manager, order.id, today=TODAY)
    line = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
    assert (line.picked_qty, line.cancelled_qty) == (0, 5)
    offer = await next_task_for(session, world.worker)
    assert (offer.sku, offer.quantity, offer.from_bin) == ("WID", 5, "DOCK-OUT")
    await confirm_task(session, offer.task_id, world.worker, "A-01-01")
    assert (await session.exec(select(StockReservation).where(StockReservation.quantity > 0))).all() == []


async def test_each_shipment_has_its_delivery_note(session, world):
    from domain.inventory.shipping import delivery_note_data

    await add_stock(session, world, "WID", "A-01-01", 4)
    order = await make_order(session, world, "SO-5", [("WID", 10)])
    await reserve_order(session, order)
    first = await _fulfil(session, world, order)
    await add_stock(session, world, "WID", "A-01-02", 6)
    await serve_backorders(session, world.wh.id)
    second = await _fulfil(session, world, order)
    notes = [await delivery_note_data(session, order, n) for n in (first.shipment_number, second.shipment_number)]
    assert [[(ln.sku, ln.picked) for ln in note.lines] for note in notes] == [[("WID", 4)], [("WID", 6)]]
