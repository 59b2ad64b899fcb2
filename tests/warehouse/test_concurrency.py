"""Concurrent transactions, each in its own session, racing for the same rows.

On PostgreSQL they really overlap and meet on row locks (FOR UPDATE); on
SQLite BEGIN IMMEDIATE serialises them. The outcome must be the same.
"""
import asyncio
from decimal import Decimal

from sqlmodel import select

from domain.errors import DomainError
from domain.inventory.core_sql import connection
from domain.inventory.picking import _read_list, confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.reservations import release_order, reserve_order
from domain.inventory.stock import ledger_on_hand, stock_level
from domain.inventory.tasks import next_task_for
from domain.models import PickStepKind, StockMove, User, WarehouseTask

from .conftest import add_stock, make_order


async def _run(uow_factory, fn):
    async with uow_factory() as uow:
        try:
            result = await fn(uow.session)
        except DomainError as exc:
            return exc
        await uow.commit()
        return result


async def _ready_to_confirm(session, world, number: str, qty: int):
    """An order for `qty` WID with its pick started, bin and product scanned: next comes the quantity."""
    await add_stock(session, world, "WID", "A-01-01", qty)
    order = await make_order(session, world, number, [("WID", qty)])
    await reserve_order(session, order)
    step = await start_pick(session, order, world.worker)
    await scan_pick_bin(session, step.pick_list_id, world.worker, "A-01-01")
    await scan_pick_product(session, step.pick_list_id, world.worker, "WID")
    return order, step


async def test_two_orders_race_for_the_last_unit(session, world, uow_factory):
    await add_stock(session, world, "WID", "A-01-01", 1)
    orders = [await make_order(session, world, f"SO-R{i}", [("WID", 1)]) for i in range(6)]
    await session.commit()

    results = await asyncio.gather(*[
        _run(uow_factory, lambda s, o=o: reserve_order(s, o)) for o in orders
    ])
    assert sum(r.lines[0].reserved_now for r in results) == 1
    level = await stock_level(session, world.products["WID"].id)
    assert (level.on_hand, level.reserved) == (1, 1)


async def test_pickers_on_different_orders_share_a_bin_without_overpicking(session, world, uow_factory):
    await add_stock(session, world, "WID", "A-01-01", 12)
    pickers = [User(name=f"P{i}", role="warehouse") for i in range(4)]
    session.add_all(pickers)
    orders = [await make_order(session, world, f"SO-P{i}", [("WID", 3)]) for i in range(4)]
    for o in orders:
        await reserve_order(session, o)
    await session.commit()

    async def pick(order, user):
        step = await _run(uow_factory, lambda s: start_pick(s, order, user))
        for fn, arg in ((scan_pick_bin, "A-01-01"), (scan_pick_product, "WID"), (confirm_pick_quantity, "3")):
            step = await _run(uow_factory, lambda s, fn=fn, arg=arg: fn(s, step.pick_list_id, user, arg))
            assert not isinstance(step, DomainError), step
        return step

    steps = await asyncio.gather(*[pick(o, u) for o, u in zip(orders, pickers)])
    assert all(s.expect == PickStepKind.done for s in steps)
    level = await stock_level(session, world.products["WID"].id, location_id=world.bins["A-01-01"].id)
    assert (level.on_hand, level.reserved) == (0, 0)
    assert await ledger_on_hand(session, world.products["WID"].id) == 12  # all of it now on the packing dock


async def test_a_double_submitted_confirmation_is_booked_once(session, world, uow_factory):
    _, step = await _ready_to_confirm(session, world, "SO-D", 5)
    await session.commit()

    results = await asyncio.gather(*[
        _run(uow_factory, lambda s: confirm_pick_quantity(s, step.pick_list_id, world.worker, 5)) for _ in range(3)
    ])
    assert sum(not isinstance(r, DomainError) for r in results) == 1
    assert len((await session.exec(select(StockMove).where(StockMove.reason == "pick"))).all()) == 1


async def test_two_workers_never_get_the_same_task(session, world, uow_factory):
    from domain.inventory.tasks import create_putaway_task
    from domain.inventory.common import RECEIVING_CODE, working_location

    dock = await working_location(session, world.wh.id, RECEIVING_CODE)
    for i in range(3):
        await create_putaway_task(session, warehouse_id=world.wh.id, product_id=world.products["BOLT"].id,
                                  from_location=dock, quantity=Decimal(1))
    workers = [User(name=f"W{i}", role="warehouse", home_warehouse_id=world.wh.id) for i in range(5)]
    session.add_all(workers)
    await session.commit()
    offers = await asyncio.gather(*[_run(uow_factory, lambda s, w=w: next_task_for(s, w)) for w in workers])
    got = [o.task_id for o in offers if o is not None]
    assert len(got) == 3 and len(set(got)) == 3
    tasks = (await session.exec(select(WarehouseTask))).all()
    assert all(t.assigned_to_id is not None for t in tasks)


async def test_releasing_an_order_while_it_is_being_picked_waits_for_the_pick(session, world, uow_factory):
    """release_order (cancel, ship) and a pick confirmation take their row locks in the same order
    (pick list and tasks, reservations, quants): on PostgreSQL the release waits for the pick's commit
    instead of the two deadlocking (one of them failing with "deadlock detected")."""
    order, step = await _ready_to_confirm(session, world, "SO-X", 5)
    product_id, bin_id = world.products["WID"].id, world.bins["A-01-01"].id
    await session.commit()

    async with uow_factory() as picking:
        # The pick has begun: its first statement locks the list and its open tasks.
        await _read_list(await connection(picking.session), step.pick_list_id, lock=True)
        releasing = asyncio.create_task(_run(uow_factory, lambda s: release_order(s, order)))
        await asyncio.sleep(0.5)  # the release runs into the pick's locks
        done = await confirm_pick_quantity(picking.session, step.pick_list_id, world.worker, "5")
        await picking.commit()
    released = await releasing

    assert done.expect == PickStepKind.done
    assert released == 0  # everything was picked before the release got its turn
    await session.rollback()  # a fresh snapshot
    level = await stock_level(session, product_id, location_id=bin_id)
    assert (level.on_hand, level.reserved) == (0, 0)
    assert await ledger_on_hand(session, product_id) == 5
