"""A purchase order's life: draft -> sent -> confirmed -> partly received -> received / closed / cancelled;
stale drafts in the digest; refills, multi-line transfers and reservation on pick."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput, PermissionDenied
from domain.inventory.picking import start_pick
from domain.inventory.receiving import ReceiptInput, book_receipt, inspect_receipt_line
from domain.inventory.tasks import next_task_for, refill_pick_faces
from domain.inventory.transfers import TransferInput, receive_transfer, send_transfer
from domain.models import Location, LocationKind, StockQuant
from domain.purchasing.orders import (cancel_po, close_po, confirm_po, list_pos, mark_sent, parse_day, po_view,
                                      stale_drafts)
from domain.reports.digest import stock_exception_digest

from .conftest import add_stock, make_order, make_po

TODAY = date(2026, 12, 7)


async def _draft(session, world, number="PO-L1", lines=(("WID", 10), ("BOLT", 20))):
    po = await make_po(session, world, number, list(lines))
    po.status, po.order_date, po.expected_date = "draft", TODAY - timedelta(days=5), TODAY
    await session.flush()
    return po


async def test_draft_sent_confirmed_received(session, world):
    po = await _draft(session, world)
    with pytest.raises(PermissionDenied):
        await mark_sent(session, world.worker, po, via="email")
    with pytest.raises(InvalidInput, match="by e-mail or by phone"):
        await mark_sent(session, world.manager, po, via="fax")
    with pytest.raises(Conflict, match="can't be done now"):
        await confirm_po(session, world.manager, po, TODAY + timedelta(days=3), today=TODAY)  # a draft can't be confirmed
    await mark_sent(session, world.manager, po, via="email", today=TODAY)
    assert (po.status, po.sent_via, po.order_date, po.expected_date) == ("sent", "email", TODAY, TODAY + timedelta(days=5))
    with pytest.raises(InvalidInput, match="in the past"):
        await confirm_po(session, world.manager, po, TODAY - timedelta(days=1), today=TODAY)
    await confirm_po(session, world.manager, po, TODAY + timedelta(days=9), today=TODAY)
    assert (po.status, po.confirmed_date, po.expected_date) == ("confirmed", TODAY + timedelta(days=9), TODAY + timedelta(days=9))
    booked = await book_receipt(session, [ReceiptInput("WID", 10)], world.worker, po=po)
    assert booked.po_status == "partially_received"
    with pytest.raises(Conflict):
        await cancel_po(session, world.manager, po)  # something came: close it instead
    await close_po(session, world.manager, po)
    assert po.status == "closed" and po.closed_at is not None
    with pytest.raises(Conflict, match="closed; nothing more can be received"):
        await book_receipt(session, [ReceiptInput("BOLT", 20)], world.worker, po=po, confirm=True)


async def test_cancel_a_draft_and_rejected_goods_bring_a_po_back_to_confirmed(session, world):
    po = await _draft(session, world, "PO-L2")
    await cancel_po(session, world.manager, po)
    assert po.status == "cancelled"
    po = await _draft(session, world, "PO-L3", (("SERUM", 5),))
    await mark_sent(session, world.manager, po, via="phone", today=TODAY)
    await confirm_po(session, world.manager, po, TODAY + timedelta(days=2), today=TODAY)
    booked = await book_receipt(session, [ReceiptInput("SERUM", 5)], world.worker, po=po)
    assert booked.po_status == "received" and booked.quarantined
    await inspect_receipt_line(session, booked.quarantined[0], world.manager, accept=False)
    assert po.status == "confirmed"  # owed again, and the supplier's confirmation still stands


async def test_stale_drafts_are_listed_and_in_the_digest(session, world):
    old = await _draft(session, world, "PO-OLD")
    fresh = await _draft(session, world, "PO-NEW")
    fresh.order_date = TODAY
    await session.flush()
    assert [p.number for p in await stale_drafts(session, 3, TODAY)] == ["PO-OLD"]
    digest = await stock_exception_digest(session, today=TODAY, now=datetime.now(timezone.utc), draft_days=3)
    assert digest.stale_drafts == [("PO-OLD", "NORD", old.order_date)] and not digest.empty
    assert [p.number for p in await list_pos(session)][:2] == ["PO-NEW", "PO-OLD"]  # drafts first, newest first
    view = await po_view(session, old)
    assert [(ln.sku, ln.quantity) for ln in view.lines] == [("WID", 10), ("BOLT", 20)]


def test_delivery_dates_as_buyers_type_them():
    assert parse_day("2026-12-20", TODAY) == date(2026, 12, 20)
    assert parse_day("20.12", TODAY) == date(2026, 12, 20)
    assert parse_day("01.02", TODAY) == date(2027, 2, 1)  # already past this year: next year
    assert parse_day("+5", TODAY) == date(2026, 12, 12)
    assert parse_day("3.1.27", TODAY) == date(2027, 1, 3)
    with pytest.raises(InvalidInput, match="is not a date"):
        parse_day("soon", TODAY)


async def test_every_pick_face_below_its_minimum_gets_a_refill_emptiest_first(session, world):
    face2 = Location(warehouse_id=world.wh.id, code="P-02", kind=LocationKind.pick, fixed_product_id=world.products["BOLT"].id,
                     min_qty=Decimal(10), max_qty=Decimal(30))
    session.add(face2)
    await add_stock(session, world, "WID", "P-01", 3)  # 3 of min 5: partly empty
    await add_stock(session, world, "WID", "A-01-01", 50)
    await add_stock(session, world, "BOLT", "A-01-02", 50)  # P-02 is empty and never saw a pick
    created = await refill_pick_faces(session, world.wh.id)
    assert [(t.to_location_id, t.quantity) for t in created] == [(face2.id, 30), (world.bins["P-01"].id, 17)]
    assert await refill_pick_faces(session, world.wh.id) == []  # one open refill per face
    offer = await next_task_for(session, world.worker)
    assert (offer.kind, offer.to_bin) == ("replenish", "P-02")


async def test_a_transfer_carries_several_lines_with_their_lots(session, world):
    exp1, exp2 = date(2027, 1, 1), date(2027, 2, 1)
    await add_stock(session, world, "MILK", "A-01-01", 10, lot="L1", expiry=exp1)
    await add_stock(session, world, "MILK", "A-01-01", 10, lot="L2", expiry=exp2)
    await add_stock(session, world, "WID", "A-01-02", 10)
    with pytest.raises(InvalidInput, match="several lots"):
        await send_transfer(session, world.worker, from_warehouse=world.wh, to_warehouse=world.wh2,
                            lines=[TransferInput("A-01-01", "MILK", 1)])
    sent = await send_transfer(session, world.worker, from_warehouse=world.wh, to_warehouse=world.wh2, lines=[
        TransferInput("A-01-01", "MILK", 4, lot="L2"), TransferInput("A-01-01", "MILK", 2, lot="L1"),
        TransferInput("A-01-02", "WID", 5)])
    await receive_transfer(session, world.worker, sent.number, bin_code="E-01")
    rows = (await session.exec(select(StockQuant).where(StockQuant.location_id == world.bins["E-01"].id))).all()
    assert sorted((r.lot, r.quantity, r.expiry) for r in rows) == [("", 5, None), ("L1", 2, exp1), ("L2", 4, exp2)]


async def test_pick_reserves_a_confirmed_order_or_says_what_is_short(session, world):
    order = await make_order(session, world, "SO-R1", [("WID", 4)])
    with pytest.raises(Conflict, match=r"can't be picked yet: nothing of it is in free stock \(short: WID 4\)"):
        await start_pick(session, order, world.worker)
    await add_stock(session, world, "WID", "A-01-01", 3)
    step = await start_pick(session, order, world.worker)  # reserved on the way: 3 of 4
    assert step.order_number == "SO-R1"
