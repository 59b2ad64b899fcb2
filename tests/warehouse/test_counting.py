from dataclasses import asdict
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput, PermissionDenied
from domain.inventory.counting import (
    LotNeeded, VariancePolicy, counts_awaiting_approval, decide_count, finish_count, hidden_bins_for, record_count,
    start_count,
)
from domain.inventory.moves import move_stock
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.inventory.tasks import confirm_task, next_task_for
from domain.models import StockQuant
from domain.inventory.reservations import reserve_order
from domain.inventory.stock import stock_level
from domain.models import SalesOrderLine, StockMove

from .conftest import add_stock, make_order


async def test_count_is_blind_until_finished(session, world):
    await add_stock(session, world, "WID", "A-01-01", 37)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    step = await record_count(session, step.count_task_id, world.worker, "WID", 36)
    step = await record_count(session, step.count_task_id, world.worker, "WID", "37")
    assert "replaces 36" in step.happened.render()
    for s in (step, await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")):
        assert "37" not in repr({k: v for k, v in asdict(s).items() if k not in ("counted", "happened")})
        assert [(c.sku, c.counted) for c in s.counted] == [("WID", 37)]  # only what the counter said
    outcome = await finish_count(session, step.count_task_id, world.worker)
    assert outcome.status == "done" and outcome.happened.render() == "Count of A-01-01 finished and booked."
    assert (await session.exec(select(StockMove).where(StockMove.reason == "count"))).all() == []


async def test_small_variance_is_booked_and_missing_products_count_as_zero(session, world):
    await add_stock(session, world, "WID", "A-01-01", 100)
    await add_stock(session, world, "BOLT", "A-01-01", 2)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    with pytest.raises(InvalidInput, match="whole number"):
        await record_count(session, step.count_task_id, world.worker, "WID", "9.5")
    await record_count(session, step.count_task_id, world.worker, "WID", 97)
    outcome = await finish_count(session, step.count_task_id, world.worker,
                                 VariancePolicy(percent=Decimal(5), absolute=Decimal(5)))
    # BOLT was not counted: counted 0 against 2 is 100% -> needs approval.
    assert outcome.status == "awaiting_approval"
    assert "BOLT" not in outcome.happened.render() and "manager" in outcome.happened.render()  # nothing expected named
    assert [(l.sku, l.expected, l.counted, l.variance) for l in outcome.lines] == [
        ("WID", 100, 97, -3), ("BOLT", 2, 0, -2)]
    with pytest.raises(Conflict):
        await record_count(session, step.count_task_id, world.worker, "WID", 1)

    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-02-01")
    await add_stock(session, world, "FLOUR", "A-02-01", "10.5")
    await record_count(session, step.count_task_id, world.worker, "FLOUR", "10.25")
    outcome = await finish_count(session, step.count_task_id, world.worker, VariancePolicy(percent=Decimal(5)))
    assert outcome.status == "done"
    level = await stock_level(session, world.products["FLOUR"].id, location_id=world.bins["A-02-01"].id)
    assert level.on_hand == Decimal("10.25")


async def test_big_variance_waits_for_a_manager_and_trims_reservations(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    order = await make_order(session, world, "SO-30", [("WID", 10)])
    await reserve_order(session, order)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 4)
    outcome = await finish_count(session, step.count_task_id, world.worker, VariancePolicy(percent=None, absolute=Decimal(3)))
    assert outcome.status == "awaiting_approval"
    await session.commit()
    assert (await stock_level(session, world.products["WID"].id)).on_hand == 10  # nothing booked yet
    waiting = await counts_awaiting_approval(session, world.wh.id)
    assert [(w.bin_code, w.lines[0].variance) for w in waiting] == [("A-01-01", -6)]
    with pytest.raises(PermissionDenied, match="can.t do that"):
        await decide_count(session, step.count_task_id, world.worker, approve=True)
    outcome = await decide_count(session, step.count_task_id, world.manager, approve=True)
    await session.commit()
    assert outcome.status == "done"
    level = await stock_level(session, world.products["WID"].id)
    assert (level.on_hand, level.reserved) == (4, 4)  # the reservation shrank with the stock
    line = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
    assert line.reserved_qty == 4
    move = (await session.exec(select(StockMove).where(StockMove.reason == "count"))).one()
    assert (move.quantity, move.document) == (6, f"COUNT-{step.count_task_id}")


async def test_rejected_or_stale_count_must_be_redone(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 0)
    await finish_count(session, step.count_task_id, world.worker)
    out = await decide_count(session, step.count_task_id, world.manager, approve=False)
    assert out.status == "rejected"
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    assert step.counted == []
    await record_count(session, step.count_task_id, world.worker, "WID", 20)
    await finish_count(session, step.count_task_id, world.worker)
    await add_stock(session, world, "WID", "A-01-01", 1)  # stock moves before the manager decides
    out = await decide_count(session, step.count_task_id, world.manager, approve=True)
    assert out.status == "rejected" and "changed since" in out.happened.render()
    assert (await stock_level(session, world.products["WID"].id)).on_hand == 11


async def _bin(session, world, bin_code):
    rows = (await session.exec(select(StockQuant).where(StockQuant.location_id == world.bins[bin_code].id)
                               .execution_options(populate_existing=True))).all()
    return sorted((r.lot, r.quantity, r.expiry) for r in rows if r.quantity)


async def test_a_count_by_the_plain_barcode_asks_for_the_lot_and_keeps_lots_and_expiry(session, world):
    """The reported case: 60 in LOT42 (with expiry) and 1 without a lot, counted as 55 by the plain barcode."""
    exp = date(2027, 3, 1)
    await add_stock(session, world, "WID", "B-03-01", 60, lot="LOT42", expiry=exp)
    await add_stock(session, world, "WID", "B-03-01", 1)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="B-03-01")
    with pytest.raises(LotNeeded, match="kept by lot"):
        await record_count(session, step.count_task_id, world.worker, "4006381333931", 55)
    await record_count(session, step.count_task_id, world.worker, "4006381333931", 55, lot="LOT42")
    outcome = await finish_count(session, step.count_task_id, world.worker, VariancePolicy(percent=Decimal(5)))
    assert outcome.status == "awaiting_approval"
    await session.commit()
    [waiting] = await counts_awaiting_approval(session, world.wh.id)
    assert [(v.lot, v.current, v.counted, v.seen, v.expiry) for v in waiting.lines] == [
        ("LOT42", 60, 55, True, exp), ("", 1, 0, False, None)]  # the lot-less piece was not seen
    outcome = await decide_count(session, step.count_task_id, world.manager, approve=True)
    assert [(v.lot, v.current, v.counted) for v in outcome.lines] == [("LOT42", 60, 55), ("", 1, 0)]
    await session.commit()
    assert await _bin(session, world, "B-03-01") == [("LOT42", 55, exp)]


async def test_counting_a_lot_found_elsewhere_takes_its_expiry_and_no_lot_is_said_explicitly(session, world):
    exp = date(2027, 5, 1)
    await add_stock(session, world, "MILK", "A-01-01", 10, lot="L7", expiry=exp)
    await add_stock(session, world, "WID", "A-02-01", 3, lot="W1")
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-02-01")
    with pytest.raises(LotNeeded, match="lot-tracked"):
        await record_count(session, step.count_task_id, world.worker, "MILK", 4)
    await record_count(session, step.count_task_id, world.worker, "MILK", 4, lot="L7")
    await record_count(session, step.count_task_id, world.worker, "WID", 3, lot="W1")
    await record_count(session, step.count_task_id, world.worker, "WID", 2, no_lot=True)
    outcome = await finish_count(session, step.count_task_id, world.worker, VariancePolicy(percent=None, absolute=None))
    assert outcome.status == "done"
    assert await _bin(session, world, "A-02-01") == [("", 2, None), ("L7", 4, exp), ("W1", 3, None)]


async def test_the_counter_is_shown_nothing_of_the_bin_while_counting(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    assert await hidden_bins_for(session, world.worker) == {world.bins["A-01-01"].id}
    assert await hidden_bins_for(session, world.worker2) == set()
    # Nothing moves into or out of the bin meanwhile (it would spoil the count, and a refusal would tell quantities).
    with pytest.raises(Conflict, match="being counted"):
        await move_stock(session, world.worker2, warehouse=world.wh, from_bin="A-01-01", to_bin="A-02-01",
                         product_code="WID", quantity=1)
    await book_receipt(session, [ReceiptInput("WID", 2)], world.worker2, warehouse=world.wh)
    offer = await next_task_for(session, world.worker2)
    with pytest.raises(InvalidInput, match="being counted"):
        await confirm_task(session, offer.task_id, world.worker2, "A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 5)
    await finish_count(session, step.count_task_id, world.worker)
    assert await hidden_bins_for(session, world.worker) == set()
    await confirm_task(session, offer.task_id, world.worker2, "A-01-01")
