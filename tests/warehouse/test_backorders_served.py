"""Waiting backorders are served whenever stock becomes sellable, not only after a receipt: a count that finds
more than the records (booked at once or approved), a transfer arriving, another order cancelled in full or in
part (its reservations given back, its picked goods after their put-away), a customer's return put away, goods
moved off a dock by hand. Each time the waiting orders get the stock by priority, promised date and order date,
reserved, and can be picked at once."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from domain.inventory.counting import VariancePolicy, decide_count, finish_count, record_count, start_count
from domain.inventory.moves import move_stock
from domain.inventory.picking import confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.inventory.reservations import reserve_order
from domain.inventory.shipping import pack_order, ship_order
from domain.inventory.tasks import confirm_task, next_task_for
from domain.inventory.transfers import TransferInput, receive_transfer, send_transfer
from domain.models import PickStepKind, SalesOrder, SalesOrderLine, StockQuant
from domain.orders.lifecycle import cancel_order, return_goods

from .conftest import add_stock, make_order

TODAY = date(2026, 12, 7)
STRICT = VariancePolicy(percent=None, absolute=Decimal(1))  # any difference above one unit waits for a manager


async def _line(session, order) -> SalesOrderLine:
    return (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                               .execution_options(populate_existing=True))).one()


async def _status(session, order) -> str:
    return (await session.exec(select(SalesOrder.status).where(SalesOrder.id == order.id))).one()


async def _pick_everything(session, world, order) -> Decimal:
    """Picks the order's list to the end; returns what was taken (the list exists: the order is pickable)."""
    step = await start_pick(session, order, world.worker)
    taken = Decimal(0)
    while step.expect != PickStepKind.done:
        if step.expect == PickStepKind.scan_bin:
            step = await scan_pick_bin(session, step.pick_list_id, world.worker, step.bin_code)
        elif step.expect == PickStepKind.scan_product:
            step = await scan_pick_product(session, step.pick_list_id, world.worker, step.sku)
        else:
            taken += step.quantity
            step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, step.quantity)
    return taken


async def _ship_all(session, world, order):
    await _pick_everything(session, world, order)
    await pack_order(session, order, world.worker)
    return await ship_order(session, order, world.worker, today=TODAY)


async def _put_away_all(session, world, bin_code="A-01-01") -> list[str]:
    served = []
    while (offer := await next_task_for(session, world.worker)) is not None:
        served += (await confirm_task(session, offer.task_id, world.worker, bin_code)).served
    return served


async def _waiting_orders(session, world, *specs):
    """Orders with nothing in stock for them: (number, qty, priority, promised in days)."""
    out = []
    for number, qty, priority, days in specs:
        order = await make_order(session, world, number, [("WID", qty)])
        order.priority = priority
        order.promised_date = TODAY + timedelta(days=days) if days is not None else None
        out.append(order)
    await session.flush()
    for order in out:
        await reserve_order(session, order)
    return out


async def test_an_approved_count_gain_serves_waiting_orders_by_priority_then_date(session, world):
    await add_stock(session, world, "WID", "A-01-01", 2)
    late, soon, urgent = await _waiting_orders(session, world, ("SO-L", 4, 0, 9), ("SO-S", 4, 0, 2), ("SO-U", 4, 1, None))
    assert [(await _line(session, o)).reserved_qty for o in (late, soon, urgent)] == [2, 0, 0]  # first come, before
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 8)
    finished = await finish_count(session, step.count_task_id, world.worker, STRICT)
    assert (finished.status, finished.served) == ("awaiting_approval", [])  # nothing booked: nothing served yet
    approved = await decide_count(session, step.count_task_id, world.manager, approve=True)
    assert approved.status == "done" and approved.served == ["SO-U", "SO-S"]
    # 6 found: urgent first (4), then the earlier promised date (2); the late one keeps what it had
    assert [(await _line(session, o)).reserved_qty for o in (urgent, soon, late)] == [4, 2, 2]
    assert await _status(session, urgent) == "reserved"
    assert await _pick_everything(session, world, urgent) == 4  # on the pick list at once


async def test_a_small_count_gain_booked_at_once_serves_too(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    [order] = await _waiting_orders(session, world, ("SO-1", 11, 0, None))
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 11)
    finished = await finish_count(session, step.count_task_id, world.worker, VariancePolicy(percent=Decimal(20)))
    assert (finished.status, finished.served) == ("done", ["SO-1"])
    assert (await _line(session, order)).reserved_qty == 11 and await _status(session, order) == "reserved"


async def test_a_count_loss_takes_the_reservation_and_the_order_gets_it_from_another_bin(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    [order] = await _waiting_orders(session, world, ("SO-1", 5, 0, None))
    await add_stock(session, world, "WID", "A-01-02", 3)  # free stock in another bin
    step = await start_count(session, world.worker, warehouse=world.wh, bin_code="A-01-01")
    await record_count(session, step.count_task_id, world.worker, "WID", 1)
    await finish_count(session, step.count_task_id, world.worker, STRICT)
    approved = await decide_count(session, step.count_task_id, world.manager, approve=True)
    assert approved.served == ["SO-1"]
    assert (await _line(session, order)).reserved_qty == 4  # 1 left in A-01-01, 3 from A-01-02; 1 still owed
    quants = {q.location_id: q for q in (await session.exec(select(StockQuant)
                                                            .execution_options(populate_existing=True))).all()}
    assert (quants[world.bins["A-01-01"].id].reserved, quants[world.bins["A-01-02"].id].reserved) == (1, 3)


async def test_a_transfer_arriving_serves_the_destinations_waiting_orders(session, world):
    await add_stock(session, world, "WID", "A-01-01", 10)
    order = await make_order(session, world, "SO-E", [("WID", 6)])
    order.warehouse_id = world.wh2.id
    await session.flush()
    assert (await reserve_order(session, order)).complete is False
    sent = await send_transfer(session, world.worker, from_warehouse=world.wh, to_warehouse=world.wh2,
                               lines=[TransferInput("A-01-01", "WID", 8)])
    assert sent.served == [] and (await _line(session, order)).reserved_qty == 0  # in transit is not for sale
    got = await receive_transfer(session, world.worker, sent.number)
    assert got.served == ["SO-E"] and (await _line(session, order)).reserved_qty == 6
    assert await _status(session, order) == "reserved"


async def test_cancelling_an_order_gives_its_reservations_to_waiting_orders(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    first, second = await _waiting_orders(session, world, ("SO-1", 5, 0, None), ("SO-2", 3, 0, None))
    assert (await _line(session, second)).reserved_qty == 0
    done = await cancel_order(session, world.manager, first.id, today=TODAY)
    assert done.order.status == "cancelled" and done.served == ["SO-2"]
    assert (await _line(session, second)).reserved_qty == 3 and await _status(session, second) == "reserved"


async def test_cancelling_the_rest_of_a_partly_shipped_order_serves_the_next_one(session, world):
    await add_stock(session, world, "WID", "A-01-01", 4)
    first, second = await _waiting_orders(session, world, ("SO-1", 10, 1, None), ("SO-2", 3, 0, None))
    shipped = await _ship_all(session, world, first)
    assert shipped.status == "partially_shipped"
    booked = await book_receipt(session, [ReceiptInput("WID", 6)], world.worker, warehouse=world.wh)
    assert booked.served == []  # on the receiving dock: not for sale yet
    assert await _put_away_all(session, world) == ["SO-1"]  # the urgent rest first
    assert (await _line(session, second)).reserved_qty == 0
    done = await cancel_order(session, world.manager, first.id, today=TODAY)  # the customer no longer wants the rest
    assert done.order.status == "shipped" and done.served == ["SO-2"]
    line = await _line(session, first)
    assert (line.shipped_qty, line.cancelled_qty, line.reserved_qty) == (4, 6, 0)
    assert (await _line(session, second)).reserved_qty == 3


async def test_goods_picked_for_a_cancelled_order_serve_waiting_orders_once_put_away(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    first, second = await _waiting_orders(session, world, ("SO-1", 5, 0, None), ("SO-2", 5, 0, None))
    await _pick_everything(session, world, first)
    done = await cancel_order(session, world.manager, first.id, today=TODAY)
    assert done.served == []  # the goods are on the packing dock, not for sale
    assert await _put_away_all(session, world) == ["SO-2"]
    assert (await _line(session, second)).reserved_qty == 5


async def test_a_return_put_away_serves_waiting_orders(session, world):
    await add_stock(session, world, "WID", "A-01-01", 5)
    [first] = await _waiting_orders(session, world, ("SO-1", 5, 0, None))
    await _ship_all(session, world, first)
    [second] = await _waiting_orders(session, world, ("SO-2", 4, 0, None))
    await return_goods(session, world.manager, first.id, world.products["WID"].id, Decimal(3), today=TODAY)
    assert (await _line(session, second)).reserved_qty == 0  # on the receiving dock
    assert await _put_away_all(session, world) == ["SO-2"]
    assert (await _line(session, second)).reserved_qty == 3 and await _status(session, second) == "confirmed"
    assert await _pick_everything(session, world, second) == 3  # the part in stock can be picked


async def test_goods_moved_off_a_dock_by_hand_serve_waiting_orders(session, world):
    await book_receipt(session, [ReceiptInput("WID", 4)], world.worker, warehouse=world.wh)
    [order] = await _waiting_orders(session, world, ("SO-1", 4, 0, None))
    moved = await move_stock(session, world.worker, warehouse=world.wh, from_bin="DOCK-IN", to_bin="A-01-02",
                             product_code="WID", quantity=4)
    assert moved.served == ["SO-1"] and (await _line(session, order)).reserved_qty == 4


async def test_stock_that_arrives_while_the_first_part_is_picked_is_the_rests_once_it_shipped(session, world):
    from domain.models import Outbox

    world.customer.sms_consent = True
    await add_stock(session, world, "WID", "A-01-01", 33)
    [order] = await _waiting_orders(session, world, ("SO-1", 50, 0, None))
    step = await start_pick(session, order, world.worker)  # being picked: not served while its list is open
    await book_receipt(session, [ReceiptInput("WID", 20)], world.worker, warehouse=world.wh)
    assert await _put_away_all(session, world, "A-01-02") == []
    while step.expect != PickStepKind.done:
        if step.expect == PickStepKind.scan_bin:
            step = await scan_pick_bin(session, step.pick_list_id, world.worker, step.bin_code)
        elif step.expect == PickStepKind.scan_product:
            step = await scan_pick_product(session, step.pick_list_id, world.worker, step.sku)
        else:
            step = await confirm_pick_quantity(session, step.pick_list_id, world.worker, step.quantity)
    await pack_order(session, order, world.worker)
    shipped = await ship_order(session, order, world.worker, today=TODAY)
    # the 17 still owed are reserved from the 20 that arrived: back on the pick list, not waiting for a PO
    assert shipped.status == "reserved" and [(o.quantity, o.waiting) for o in shipped.owed] == [(17, 0)]
    assert (await _line(session, order)).reserved_qty == 17
    [sms] = (await session.exec(select(Outbox))).all()
    assert sms.body == "Part of your order SO-1 is on its way. 17 \u00d7 Widget to follow; we will text you when it ships."
    assert (await _ship_all(session, world, order)).status == "shipped"
