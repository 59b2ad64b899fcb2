from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput
from domain.inventory.picking import (
    confirm_pick_quantity, current_pick_step, open_pick_for, report_pick_shortage, scan_pick_bin, scan_pick_product,
    start_pick,
)
from domain.inventory.reservations import reserve_order
from domain.inventory.stock import stock_level
from domain.models import PickStepKind, SalesOrder, SalesOrderLine, StockMove, StockReservation
from storage.engine import session_factory

from .conftest import add_stock, make_order


async def test_pick_walks_bins_in_order_and_checks_every_input(session, world):
    await add_stock(session, world, "WID", "B-03-01", 10)
    await add_stock(session, world, "BOLT", "A-01-02", 50)
    order = await make_order(session, world, "SO-1", [("WID", 4), ("BOLT", 24)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    await session.commit()

    # Walking order: zone A before zone B, whatever the line order.
    assert (step.expect, step.bin_code, step.sku, step.quantity) == (PickStepKind.scan_bin, "A-01-02", "BOLT", 24)
    with pytest.raises(InvalidInput, match="Wrong bin: expected A-01-02, you scanned B-03-01."):
        await scan_pick_bin(session, step.pick_list_id, world.worker, "B-03-01")
    with pytest.raises(InvalidInput, match="Scan the bin A-01-02 first"):
        await scan_pick_product(session, step.pick_list_id, world.worker, "BOLT")
    step = await scan_pick_bin(session, step.pick_list_id, world.worker, "LOC0000102")  # the bin's own barcode
    assert step.expect == PickStepKind.scan_product
    with pytest.raises(InvalidInput, match=r"Wrong product: expected BOLT \(Bolt M8\), you scanned 4006381333931"):
        await scan_pick_product(session, step.pick_list_id, world.worker, "4006381333931")
    step = await scan_pick_product(session, step.pick_list_id, world.worker, "14006381333945")  # pack barcode
    assert step.expect == PickStepKind.enter_quantity and "pack of 12" in step.happened.render()
    for bad, msg in [("-1", "more than zero"), ("0", "more than zero"), ("1.5", "whole number"),
                     ("25", "at most 24"), ("abc", "not a quantity")]:
        with pytest.raises(InvalidInput, match=msg):
            await confirm_pick_quantity(session, step.pick_list_id, world.worker, bad)
    step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, "24")
    await session.commit()
    assert (step.bin_code, step.sku, step.expect) == ("B-03-01", "WID", PickStepKind.scan_bin)

    step = await scan_pick_bin(session, step.pick_list_id, world.worker, "b-03-01")
    step = await scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, 4)
    await session.commit()
    assert step.expect == PickStepKind.done

    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.line_no))).all()
    assert [(l.picked_qty, l.reserved_qty) for l in lines] == [(4, 0), (24, 0)]
    picks = (await session.exec(select(StockMove).where(StockMove.reason == "pick"))).all()
    assert sorted(m.quantity for m in picks) == [4, 24] and {m.document for m in picks} == {"SO-1"}
    assert (await stock_level(session, world.products["WID"].id, location_id=world.bins["B-03-01"].id)).on_hand == 6
    assert (await stock_level(session, world.products["WID"].id, warehouse_id=world.wh.id)).on_hand == 10  # 4 on the dock


async def test_short_pick_records_shortage_and_releases_the_rest(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    await add_stock(session, world, "BOLT", "A-02-01", 5)
    order = await make_order(session, world, "SO-2", [("WID", 6), ("BOLT", 5)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    step = await scan_pick_bin(session, step.pick_list_id, world.worker, "A-01-01")
    step = await scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, 4)
    assert "2 short" in step.happened.render()
    assert step.bin_code == "A-02-01"
    step = await report_pick_shortage(session, step.pick_list_id, world.worker)
    assert step.expect == PickStepKind.done
    await session.commit()
    wid = await stock_level(session, world.products["WID"].id, location_id=world.bins["A-01-01"].id)
    assert (wid.on_hand, wid.reserved, wid.available) == (6, 0, 6)
    bolt = await stock_level(session, world.products["BOLT"].id, location_id=world.bins["A-02-01"].id)
    assert (bolt.on_hand, bolt.reserved) == (5, 0)
    reservations = (await session.exec(select(StockReservation).where(StockReservation.order_id == order.id))).all()
    assert all(r.quantity == 0 for r in reservations)


async def test_interrupted_pick_resumes_in_a_fresh_session(engine, session, world):
    await add_stock(session, world, "WID", "A-01-01", 3)
    await add_stock(session, world, "BOLT", "C-01-01", 3)
    order = await make_order(session, world, "SO-3", [("WID", 2), ("BOLT", 3)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    step = await scan_pick_bin(session, step.pick_list_id, world.worker, "A-01-01")
    step = await scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    await session.commit()
    pick_list_id = step.pick_list_id

    async with session_factory(engine)() as fresh:  # a restart: nothing in memory survives
        resumed = await open_pick_for(fresh, world.worker)
        assert resumed == await current_pick_step(fresh, pick_list_id)
        assert (resumed.expect, resumed.bin_code, resumed.sku, resumed.quantity) == (
            PickStepKind.enter_quantity, "A-01-01", "WID", 2)
        again = await start_pick(fresh, await fresh.get(SalesOrder, order.id), world.worker)
        assert again.task_id == resumed.task_id and "Resuming" in again.happened.render()
        with pytest.raises(Conflict, match="being picked by Ivan"):
            await start_pick(fresh, await fresh.get(SalesOrder, order.id), world.worker2)
        with pytest.raises(Conflict, match="another picker"):
            await confirm_pick_quantity(fresh, pick_list_id, world.worker2, 2)
        step = await confirm_pick_quantity(fresh, pick_list_id, world.worker, 2)
        await fresh.commit()
        assert step.bin_code == "C-01-01"


async def test_fefo_picks_the_earliest_expiry_first(session, world):
    await add_stock(session, world, "MILK", "A-01-01", 5, lot="L-LATE", expiry=date(2027, 3, 1))
    await add_stock(session, world, "MILK", "B-03-01", 4, lot="L-SOON", expiry=date(2026, 12, 1))
    order = await make_order(session, world, "SO-4", [("MILK", 6)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    # Walking order visits A-01-01 first, but only 2 come from the later lot there.
    assert (step.bin_code, step.lot, step.quantity) == ("A-01-01", "L-LATE", 2)
    lots = []
    while step.expect != PickStepKind.done:
        lots.append((step.lot, step.quantity))
        step = await scan_pick_bin(session, step.pick_list_id, world.worker, step.bin_code)
        step = await scan_pick_product(session, step.pick_list_id, world.worker, "MILK")
        step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, step.quantity)
    assert sorted(lots) == [("L-LATE", 2), ("L-SOON", 4)]

    small = await make_order(session, world, "SO-4B", [("MILK", 3)])
    await add_stock(session, world, "MILK", "C-01-01", 3, lot="L-SOONEST", expiry=date(2026, 11, 30))
    result = await reserve_order(session, small)
    assert result.complete
    step = await start_pick(session, small, world.worker)
    assert (step.bin_code, step.lot, step.quantity, step.tasks_left) == ("C-01-01", "L-SOONEST", 3, 1)


async def test_pick_face_below_min_creates_refill_offered_to_next_free_worker(session, world):
    from domain.inventory.tasks import confirm_task, next_task_for

    await add_stock(session, world, "WID", "P-01", 8)
    await add_stock(session, world, "WID", "C-01-01", 100)
    order = await make_order(session, world, "SO-5", [("WID", 6)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    assert step.bin_code == "P-01"  # pick faces first
    step = await scan_pick_bin(session, step.pick_list_id, world.worker, "P-01")
    step = await scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, 6)
    assert step.refill_task_id is not None
    await session.commit()

    offer = await next_task_for(session, world.worker2)
    assert (offer.kind, offer.from_bin, offer.to_bin, offer.quantity) == ("replenish", "C-01-01", "P-01", 18)
    assert await next_task_for(session, world.worker) is None  # the only task went to Maria
    with pytest.raises(InvalidInput, match="Wrong bin: expected P-01, you scanned A-01-01"):
        await confirm_task(session, offer.task_id, world.worker2, "A-01-01")
    result = await confirm_task(session, offer.task_id, world.worker2, "P-01")
    assert result.done
    await session.commit()
    assert (await stock_level(session, world.products["WID"].id, location_id=world.bins["P-01"].id)).on_hand == 20
