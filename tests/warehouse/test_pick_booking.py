"""The set-based booking of a confirmed pick (pick_booking.py): the checks it makes while it writes,
and that objects already loaded in the session see what it wrote. On PostgreSQL a confirmed pick is
one combined statement, on SQLite a few statements: both run here, per QM_TEST_DB."""
from dataclasses import replace
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from domain.errors import Conflict
from domain.inventory import picking
from domain.inventory.ledger import post_move, virtual_location
from domain.inventory.pick_booking import book_task
from domain.inventory.reservations import quant_for_update, reserve_order, trim_reservations
from domain.inventory.stock import stock_level
from domain.models import (
    LocationKind, PickList, PickStepKind, PickTask, SalesOrderLine, StockMove, StockQuant, StockReservation,
)

from .conftest import add_stock, make_order


async def _at_quantity_step(session, world, number: str, qty: int):
    await add_stock(session, world, "WID", "A-01-01", 5)
    order = await make_order(session, world, number, [("WID", qty)])
    await reserve_order(session, order)
    step = await picking.start_pick(session, order, world.worker)
    step = await picking.scan_pick_bin(session, step.pick_list_id, world.worker, "A-01-01")
    step = await picking.scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    await session.commit()
    return order, step


async def test_loaded_objects_see_what_the_booking_wrote(session, world):
    order, step = await _at_quantity_step(session, world, "SO-B0", 5)
    line = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
    res = (await session.exec(select(StockReservation).where(StockReservation.order_id == order.id))).one()
    task = (await session.exec(select(PickTask).where(PickTask.pick_list_id == step.pick_list_id))).one()
    pl = await session.get(PickList, step.pick_list_id)
    bin_quant = (await session.exec(select(StockQuant).where(StockQuant.location_id == world.bins["A-01-01"].id))).one()

    done = await picking.confirm_pick_quantity(session, step.pick_list_id, world.worker, "4")
    await session.commit()

    assert done.expect == PickStepKind.done and "1 short" in done.happened.render()
    # No re-query: the objects loaded before the booking carry the new values.
    assert (line.picked_qty, line.reserved_qty) == (4, 0)
    assert res.quantity == 0
    assert (task.step, task.picked_qty, task.short_qty) == ("done", 4, 1)
    assert pl.status == "done"
    assert (bin_quant.quantity, bin_quant.reserved) == (1, 0)
    dock = (await session.exec(select(StockQuant).where(StockQuant.product_id == world.products["WID"].id,
                                                         StockQuant.location_id == pl.packing_location_id))).one()
    assert dock.quantity == 4


async def test_the_pick_move_is_in_the_audit_log(session, world):
    """The move is inserted by a Core statement (one combined statement on PostgreSQL): the audit's
    flush hook cannot see it, so the booking notes it itself, written at commit."""
    from domain.models import AuditEntry
    _, step = await _at_quantity_step(session, world, "SO-BA", 3)
    before = len((await session.exec(select(AuditEntry).where(AuditEntry.entity == "stock_move"))).all())
    await picking.confirm_pick_quantity(session, step.pick_list_id, world.worker, "3")
    await session.commit()
    moves = (await session.exec(select(AuditEntry).where(AuditEntry.entity == "stock_move").order_by(AuditEntry.id))).all()
    assert len(moves) == before + 1
    pick = moves[-1]
    assert pick.action == "created" and pick.after["reason"] == "pick" and pick.after["quantity"] == "3"
    assert pick.after["document"] == "SO-BA"
    stored = (await session.exec(select(StockMove).where(StockMove.reason == "pick"))).one()
    assert pick.entity_id == str(stored.id)


async def test_a_reservation_lowered_after_the_read_is_decided_again_on_its_new_value(session, world):
    order, step = await _at_quantity_step(session, world, "SO-B1", 5)
    conn = await session.connection()
    pl, tasks = await picking._read_list(conn, step.pick_list_id, lock=True)
    assert tasks[0].reserved == 5
    # Meanwhile a count finds 2 missing and gives that much of the reservation back.
    adjustment = await virtual_location(session, LocationKind.adjustment)
    await post_move(session, product_id=world.products["WID"].id, from_location=world.bins["A-01-01"],
                    to_location=adjustment, quantity=2, reason="count", allow_negative=False)
    await trim_reservations(session, await quant_for_update(session, world.products["WID"].id, world.bins["A-01-01"].id, ""))
    await session.flush()

    with pytest.raises(Conflict, match="Only 3 are reserved for this line in A-01-01; cannot take 5"):
        await book_task(session, conn, pl, tasks, Decimal(5))
    short, _ = await book_task(session, conn, pl, tasks, Decimal(3))  # still the stale read: 5 reserved
    await session.commit()

    assert short == 2
    level = await stock_level(session, world.products["WID"].id, location_id=world.bins["A-01-01"].id)
    assert (level.on_hand, level.reserved) == (0, 0)
    line = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                               .execution_options(populate_existing=True))).one()
    assert (line.picked_qty, line.reserved_qty) == (3, 0)


async def test_a_bin_quant_short_of_the_pick_refuses_it_and_nothing_is_booked(session, world):
    order, step = await _at_quantity_step(session, world, "SO-B2", 5)
    order_id = order.id  # the rollback below expires loaded objects
    # A cache that drifted below what is reserved (it cannot by the rules; the booking still checks).
    await session.exec(sa.update(StockQuant).where(StockQuant.location_id == world.bins["A-01-01"].id)
                       .values(quantity=Decimal(1)))
    await session.commit()

    with pytest.raises(Conflict, match="Only 1 on hand in A-01-01, cannot take 5"):
        await picking.confirm_pick_quantity(session, step.pick_list_id, world.worker, "5")
    await session.rollback()

    assert (await session.exec(select(StockMove).where(StockMove.reason == "pick"))).all() == []
    again = await picking.current_pick_step(session, step.pick_list_id)
    assert (again.expect, again.quantity) == (PickStepKind.enter_quantity, 5)
    res = (await session.exec(select(StockReservation).where(StockReservation.order_id == order_id))).one()
    assert res.quantity == 5


async def test_a_stale_task_step_books_nothing_twice(session, world):
    """The task UPDATE matches only the step that was read: a second booking of a read that is no longer
    true (what the pick list lock prevents) is refused instead of booked again."""
    order, step = await _at_quantity_step(session, world, "SO-B3", 2)
    conn = await session.connection()
    pl, tasks = await picking._read_list(conn, step.pick_list_id, lock=True)
    await book_task(session, conn, pl, tasks, Decimal(2))
    stale = [replace(tasks[0], reserved=Decimal(0))]
    with pytest.raises(Conflict):
        await book_task(session, conn, pl, stale, Decimal(0))
    await session.rollback()
