"""Random sequences of orders, partial receipts, picks, partial shipments, returns and cancellations keep
orders, stock and invoices adding up:

- every line: ordered = shipped + backordered + cancelled, with shipped equal to what its shipments
  carried and to the stock that left for the customer, and nothing negative;
- an order is shipped exactly when nothing is owed, partially_shipped when a part left and a part is owed;
- invoiced - credited = (shipped - returned) x price (billing by delivery, the default);
- per product: on hand = available + reserved + picked-not-shipped (goods received are put away at once);
- quants, reservations and invoice amounts are never negative, and payments never exceed an invoice.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings, strategies as st
from sqlmodel import select

from domain.errors import DomainError
from domain.inventory.common import SELLABLE_KINDS
from domain.inventory.picking import (
    confirm_pick_quantity, report_pick_shortage, scan_pick_bin, scan_pick_product, start_pick,
)
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.inventory.reservations import reserve_order
from domain.inventory.shipping import pack_order, ship_order
from domain.inventory.tasks import confirm_task, next_task_for
from domain.models import (
    Invoice, Location, LocationKind, OrderStatus, PickStepKind, SalesOrder, SalesOrderLine, Shipment, ShipmentLine,
    StockMove, StockQuant,
)
from domain.orders.invoices import record_payment
from domain.orders.lifecycle import cancel_order, return_goods
from storage.engine import session_factory

from .conftest import build_world, make_order
from .test_properties import _wipe

SKUS = ["WID", "BOLT"]
TODAY = date(2026, 12, 7)
qty = st.integers(min_value=1, max_value=9)
which = st.integers(0, 5)
ops = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(SKUS), qty),
    st.tuples(st.just("order"), st.sampled_from(SKUS), st.integers(1, 15), st.sampled_from(SKUS), qty),
    st.tuples(st.just("pick"), which, st.integers(0, 2)),
    st.tuples(st.just("ship"), which),
    st.tuples(st.just("fulfil"), which, st.integers(0, 2)),  # pick, pack and ship in one go
    st.tuples(st.just("return"), which, st.sampled_from(SKUS), qty),
    st.tuples(st.just("cancel"), which),
    st.tuples(st.just("pay"), which, st.integers(1, 40)),
)


async def _put_away_all(s, world) -> None:
    """Everything on a dock goes to storage (A-01-01 takes any product), serving backorders on the way."""
    while (offer := await next_task_for(s, world.worker)) is not None:
        await confirm_task(s, offer.task_id, world.worker, "A-01-01")


async def _apply(s, world, op, orders) -> SalesOrder | bool | None:
    """Does the work; returns the new order, True when something was done, None when there was nothing to do."""
    kind = op[0]
    if kind == "receive":
        _, sku, q = op
        await book_receipt(s, [ReceiptInput(sku, q)], world.worker, warehouse=world.wh)
    elif kind == "order":
        _, sku1, q1, sku2, q2 = op
        lines = [(sku1, q1)] + ([(sku2, q2)] if sku2 != sku1 else [])
        order = await make_order(s, world, f"SO-{len(orders) + 1}", lines)
        await reserve_order(s, order)
        return order
    elif not orders:
        return None
    else:
        order = await s.get(SalesOrder, orders[op[1] % len(orders)])
        if kind in ("pick", "fulfil"):
            short_by = op[2]
            step = await start_pick(s, order, world.worker)
            while step.expect != PickStepKind.done:
                if step.expect == PickStepKind.scan_bin:
                    step = await scan_pick_bin(s, step.pick_list_id, world.worker, step.bin_code)
                elif step.expect == PickStepKind.scan_product:
                    step = await scan_pick_product(s, step.pick_list_id, world.worker, step.sku)
                elif step.quantity - short_by > 0:
                    step = await confirm_pick_quantity(s, step.pick_list_id, world.worker, step.quantity - short_by)
                else:
                    step = await report_pick_shortage(s, step.pick_list_id, world.worker)
        if kind in ("fulfil", "ship"):
            await pack_order(s, order, world.worker)
            shipped = await ship_order(s, order, world.worker, today=TODAY)
            event(f"shipped: {shipped.status}")
        elif kind == "return":
            await return_goods(s, world.manager, order.id, world.products[op[2]].id, Decimal(op[3]), today=TODAY)
        elif kind == "cancel":
            await cancel_order(s, world.manager, order.id, today=TODAY)
        elif kind == "pay":
            inv = (await s.exec(select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == "invoice",
                                                      Invoice.status == "open"))).first()
            if inv is not None:
                await record_payment(s, world.manager, inv.number, Decimal(op[2]), paid_on=TODAY)
    await _put_away_all(s, world)
    return True


async def _check(s, world) -> None:
    lines = (await s.exec(select(SalesOrderLine))).all()
    orders = {o.id: o for o in (await s.exec(select(SalesOrder))).all()}
    carried = defaultdict(Decimal)
    for sl in (await s.exec(select(ShipmentLine))).all():
        carried[sl.order_line_id] += sl.quantity
    left = defaultdict(Decimal)  # stock that left for the customer, per order number and product
    customer = {loc.id for loc in (await s.exec(select(Location).where(Location.kind == LocationKind.customer.value))).all()}
    for m in (await s.exec(select(StockMove).where(StockMove.reason.in_(["ship", "return"])))).all():
        if m.to_location_id in customer:
            left[(m.document, m.product_id)] += m.quantity
        if m.from_location_id in customer:
            left[(m.document, m.product_id)] -= m.quantity
    net = defaultdict(Decimal)
    expected_billed = defaultdict(Decimal)
    picked_not_shipped = defaultdict(Decimal)
    for ln in lines:
        order = orders[ln.order_id]
        for v in (ln.quantity, ln.shipped_qty, ln.cancelled_qty, ln.backordered, ln.reserved_qty, ln.picked_qty, ln.returned_qty):
            assert v >= 0, (order.number, ln.line_no)
        assert ln.quantity == ln.shipped_qty + ln.backordered + ln.cancelled_qty
        assert ln.shipped_qty == carried[ln.id]
        assert ln.shipped_qty <= ln.picked_qty and ln.reserved_qty + ln.picked_qty + ln.cancelled_qty <= ln.quantity
        assert ln.returned_qty <= ln.shipped_qty
        net[(order.number, ln.product_id)] += ln.shipped_qty - ln.returned_qty
        expected_billed[order.id] += ((ln.shipped_qty - ln.returned_qty) * ln.price).quantize(Decimal("0.01"))
        if order.status != OrderStatus.cancelled:
            picked_not_shipped[ln.product_id] += ln.picked_qty - ln.shipped_qty
    for key, qty in net.items():
        assert left[key] == qty, key
    for order in orders.values():
        own = [ln for ln in lines if ln.order_id == order.id]
        owed = sum((ln.backordered for ln in own), Decimal(0))
        shipped = sum((ln.shipped_qty for ln in own), Decimal(0))
        if order.status == OrderStatus.shipped:
            assert owed == 0 and shipped > 0, order.number
        if order.status == OrderStatus.partially_shipped:
            assert owed > 0 and shipped > 0, order.number
        if order.status == OrderStatus.cancelled:
            assert shipped == 0 and owed == 0, order.number
    billed = defaultdict(Decimal)
    for inv in (await s.exec(select(Invoice))).all():
        assert inv.amount >= 0 and 0 <= inv.paid <= inv.amount, inv.number
        if inv.status == "cancelled":
            continue
        billed[inv.order_id] += inv.amount if inv.kind == "invoice" else -inv.amount
    for order_id, amount in expected_billed.items():
        assert billed[order_id] == amount, orders[order_id].number
    shipments = (await s.exec(select(Shipment))).all()
    assert len({sh.number for sh in shipments}) == len(shipments)

    sellable = {loc.id for loc in (await s.exec(select(Location).where(Location.kind.in_(SELLABLE_KINDS)))).all()}
    real = {loc.id for loc in (await s.exec(select(Location))).all() if not LocationKind(loc.kind).virtual}
    on_hand, available, reserved = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    for q in (await s.exec(select(StockQuant))).all():
        assert q.quantity >= 0 and 0 <= q.reserved <= q.quantity
        if q.location_id in real:
            on_hand[q.product_id] += q.quantity
        if q.location_id in sellable:
            available[q.product_id] += q.quantity - q.reserved
            reserved[q.product_id] += q.reserved
    for sku in SKUS:
        pid = world.products[sku].id
        assert reserved[pid] + available[pid] == on_hand[pid] - picked_not_shipped[pid], sku


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prelude=st.lists(st.tuples(st.just("receive"), st.sampled_from(SKUS), st.integers(3, 12)), min_size=1, max_size=2),
       sequence=st.lists(ops, min_size=4, max_size=20))
async def test_random_order_work_adds_up(engine, prelude, sequence):
    await _wipe(engine)
    sessions = session_factory(engine)
    async with sessions() as s:
        world = await build_world(s)
        await s.commit()
    orders: list[int] = []
    for op in prelude + [("order", "WID", 12, "BOLT", 4)] + sequence:
        async with sessions() as s:
            try:
                order = await _apply(s, world, op, orders)
                await s.commit()
            except DomainError:
                await s.rollback()
                continue
            if order is not None:  # --hypothesis-show-statistics: how much of each kind of work really happened
                event(f"done: {op[0]}")
            if isinstance(order, SalesOrder):
                orders.append(order.id)
        async with sessions() as s:
            await _check(s, world)
    async with sessions() as s:
        statuses = sorted({o.status for o in (await s.exec(select(SalesOrder))).all()})
    event(f"statuses: {statuses}")
