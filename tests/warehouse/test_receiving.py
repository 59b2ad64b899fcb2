from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.inventory.receiving import (
    ReceiptInput, ReceiptTolerance, book_receipt, inspect_receipt_line, pending_inspections, preview_receipt,
)
from domain.inventory.stock import stock_level
from domain.inventory.tasks import confirm_task, next_task_for, propose_bin
from domain.models import PurchaseOrder, PurchaseOrderLine, StockMove, Supplier, WarehouseTask

from .conftest import add_stock, make_po


async def test_preview_shows_over_and_under_and_changes_nothing(session, world):
    po = await make_po(session, world, "PO-1", [("WID", 10), ("BOLT", 24)])
    await session.commit()
    preview = await preview_receipt(session, [ReceiptInput("4006381333931", 12), ReceiptInput("14006381333945", 1)], po=po)
    wid, bolt = preview.lines
    assert (wid.sku, wid.quantity, wid.ordered, wid.received_after) == ("WID", 12, 10, 12)
    assert (bolt.sku, bolt.quantity, bolt.pack_qty) == ("BOLT", 12, 12)  # one pack of 12
    assert [(l.sku, l.over) for l in preview.over] == [("WID", 2)]
    assert [(l.sku, l.missing) for l in preview.under] == [("BOLT", 12)]
    assert preview.needs_confirmation
    assert (await session.exec(select(StockMove))).all() == []
    with pytest.raises(Conflict, match=r"beyond the tolerance: WID \+2 \(20%\)"):
        await book_receipt(session, [ReceiptInput("WID", 12)], world.worker, po=po)


async def test_differences_within_the_tolerance_pass_and_beyond_it_need_a_confirmation(session, world):
    po = await make_po(session, world, "PO-T", [("WID", 100), ("BOLT", 50)])
    await session.commit()
    tol = ReceiptTolerance(over_percent=Decimal(5), under_percent=Decimal(10))
    ok = await preview_receipt(session, [ReceiptInput("WID", 104), ReceiptInput("BOLT", 46)], po=po, tolerance=tol)
    assert not ok.needs_confirmation  # +4% and -8%
    bad = await preview_receipt(session, [ReceiptInput("WID", 120), ReceiptInput("BOLT", 20)], po=po, tolerance=tol)
    assert bad.needs_confirmation and bad.differences() == "WID +20 (20%), BOLT -30 (60%)"
    only_wid = await preview_receipt(session, [ReceiptInput("WID", 100)], po=po, tolerance=tol)
    assert not only_wid.needs_confirmation  # BOLT was not delivered at all: it simply waits
    with pytest.raises(Conflict, match=r"WID \+20 \(20%\), BOLT -30 \(60%\)"):
        await book_receipt(session, [ReceiptInput("WID", 120), ReceiptInput("BOLT", 20)], world.worker, po=po, tolerance=tol)
    booked = await book_receipt(session, [ReceiptInput("WID", 120), ReceiptInput("BOLT", 20)], world.worker, po=po,
                                tolerance=tol, confirm=True)
    assert booked.po_status == "partially_received"


async def test_receiving_against_a_draft_needs_a_confirmation(session, world):
    po = await make_po(session, world, "PO-D", [("WID", 10)])
    po.status = "draft"
    await session.commit()
    preview = await preview_receipt(session, [ReceiptInput("WID", 10)], po=po)
    assert preview.against_draft and preview.needs_confirmation
    with pytest.raises(Conflict, match="is a draft"):
        await book_receipt(session, [ReceiptInput("WID", 10)], world.worker, po=po)
    assert (await session.exec(select(StockMove))).all() == []
    booked = await book_receipt(session, [ReceiptInput("WID", 10)], world.worker, po=po, confirm=True)
    assert booked.po_status == "received"


async def test_a_lot_keeps_its_one_expiry(session, world):
    await book_receipt(session, [ReceiptInput("MILK", 5, lot="L1", expiry=date(2027, 1, 1))], world.worker, warehouse=world.wh)
    with pytest.raises(InvalidInput, match="already in stock with expiry 2027-01-01"):
        await preview_receipt(session, [ReceiptInput("MILK", 5, lot="L1", expiry=date(2027, 2, 1))], warehouse=world.wh)


async def test_booking_against_po_moves_to_dock_and_updates_po(session, world):
    po = await make_po(session, world, "PO-2", [("WID", 10), ("BOLT", 24)])
    await session.commit()
    booked = await book_receipt(session, [ReceiptInput("WID", 10), ReceiptInput("BOLT", 20)], world.worker, po=po,
                                confirm=True)
    await session.commit()
    assert booked.po_status == "partially_received"
    moves = (await session.exec(select(StockMove).order_by(StockMove.id))).all()
    assert [(m.reason, m.document, m.quantity) for m in moves] == [("receipt", "PO-2", 10), ("receipt", "PO-2", 20)]
    level = await stock_level(session, world.products["WID"].id, warehouse_id=world.wh.id)
    assert (level.on_hand, level.available) == (10, 0)  # on the dock, not sellable before put-away
    lines = (await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                                .order_by(PurchaseOrderLine.line_no))).all()
    assert [l.received_quantity for l in lines] == [10, 20]
    booked = await book_receipt(session, [ReceiptInput("BOLT", 4)], world.worker, po=po)
    await session.commit()
    assert booked.po_status == "received"
    with pytest.raises(Conflict, match="is received"):
        await preview_receipt(session, [ReceiptInput("BOLT", 1)], po=await session.get(PurchaseOrder, po.id))


async def test_bad_lines_are_refused(session, world):
    po = await make_po(session, world, "PO-3", [("MILK", 10)])
    with pytest.raises(NotFound, match="No product with code NOPE"):
        await preview_receipt(session, [ReceiptInput("NOPE", 1)], po=po)
    with pytest.raises(InvalidInput, match="lot-tracked"):
        await preview_receipt(session, [ReceiptInput("MILK", 1, expiry=date(2027, 1, 1))], po=po)
    with pytest.raises(InvalidInput, match="expiry"):
        await preview_receipt(session, [ReceiptInput("MILK", 1, lot="L1")], po=po)
    with pytest.raises(InvalidInput, match="whole number"):
        await preview_receipt(session, [ReceiptInput("WID", "1.5")], warehouse=world.wh)
    ok = await preview_receipt(session, [ReceiptInput("FLOUR", "2.5")], warehouse=world.wh)
    assert ok.lines[0].quantity == Decimal("2.5")


async def test_unplanned_receipt_and_put_away_to_proposed_or_other_bin(session, world):
    booked = await book_receipt(session, [ReceiptInput("BOLT", 30)], world.worker, warehouse=world.wh)
    await session.commit()
    assert booked.po_status is None and len(booked.putaway_task_ids) == 1
    move = (await session.exec(select(StockMove))).one()
    assert move.document == booked.receipt_number
    offer = await next_task_for(session, world.worker)
    assert offer.kind == "putaway" and offer.from_bin == "DOCK-IN" and offer.to_bin == "A-01-01"  # first empty bin
    with pytest.raises(InvalidInput, match="reserved for WID"):
        await confirm_task(session, offer.task_id, world.worker, "P-01")
    with pytest.raises(InvalidInput, match="not a bin"):
        await confirm_task(session, offer.task_id, world.worker, "Z-99")
    result = await confirm_task(session, offer.task_id, world.worker, "A-02-01", quantity=10)
    assert "instead of the proposed A-01-01" in result.happened.render() and result.remaining == 20
    result = await confirm_task(session, offer.task_id, world.worker, "A-01-01")
    assert result.done and "to A-01-01." in result.happened.render()
    await session.commit()
    level = await stock_level(session, world.products["BOLT"].id, warehouse_id=world.wh.id)
    assert (level.on_hand, level.available) == (30, 30)


async def test_propose_bin_prefers_fixed_then_holding_then_empty(session, world):
    p = world.products
    assert (await propose_bin(session, world.wh.id, p["WID"].id)).code == "P-01"  # fixed
    await add_stock(session, world, "BOLT", "B-03-01", 5)
    assert (await propose_bin(session, world.wh.id, p["BOLT"].id)).code == "B-03-01"  # already holds it
    for code in ("A-01-01", "A-01-02", "A-02-01"):
        await add_stock(session, world, "WID", code, 1)
    assert (await propose_bin(session, world.wh.id, p["FLOUR"].id)).code == "C-01-01"  # the only empty bin left


async def test_quarantine_waits_for_a_manager(session, world):
    picky = Supplier(code="PICKY", name="Picky", requires_inspection=True)
    session.add(picky)
    await session.flush()
    po = await make_po(session, world, "PO-4", [("WID", 5), ("SERUM", 5)], supplier=picky)
    await session.commit()
    booked = await book_receipt(session, [ReceiptInput("WID", 5), ReceiptInput("SERUM", 5)], world.worker, po=po)
    await session.commit()
    assert len(booked.quarantined) == 2 and booked.putaway_task_ids == []
    pending = await pending_inspections(session, world.wh.id)
    assert [p.sku for p in pending] == ["WID", "SERUM"]
    with pytest.raises(PermissionDenied):
        await inspect_receipt_line(session, pending[0].receipt_line_id, world.worker, accept=True)
    ok = await inspect_receipt_line(session, pending[0].receipt_line_id, world.manager, accept=True)
    assert ok.putaway_task_id is not None
    bad = await inspect_receipt_line(session, pending[1].receipt_line_id, world.manager, accept=False, reason="leaking")
    await session.commit()
    assert "returned to the supplier" in bad.happened.render()
    with pytest.raises(Conflict, match="already accepted"):
        await inspect_receipt_line(session, pending[0].receipt_line_id, world.manager, accept=False)
    serum = await stock_level(session, world.products["SERUM"].id, warehouse_id=world.wh.id)
    assert serum.on_hand == 0
    po = await session.get(PurchaseOrder, po.id)
    assert po.status == "partially_received"  # rejected goods are still owed
    task = await session.get(WarehouseTask, ok.putaway_task_id)
    assert task.from_location_id != task.to_location_id
