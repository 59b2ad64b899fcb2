from dataclasses import asdict
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput, PermissionDenied
from domain.inventory.counting import (
    VariancePolicy, counts_awaiting_approval, decide_count, finish_count, record_count, start_count,
)
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
    assert outcome.status == "done" and "matches" in outcome.happened.render()
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
    assert outcome.status == "awaiting_approval" and "BOLT" in outcome.happened.render()
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
