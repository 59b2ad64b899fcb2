"""Random sequences of warehouse work keep the ledger's invariants:

- every real location's StockQuant equals the ledger's in minus out;
- 0 <= reserved <= on hand everywhere, and reserved is exactly the sum of the reservations;
- an order line never has more reserved + picked than ordered;
- nothing appears or disappears: stock on hand equals what came in minus what
  left (receipts, count gains and losses, shipments), tracked independently here.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import SQLModel, select

from domain.errors import DomainError
from domain.inventory.counting import VariancePolicy, finish_count, record_count, start_count
from domain.inventory.moves import move_stock
from domain.inventory.picking import (
    confirm_pick_quantity, report_pick_shortage, scan_pick_bin, scan_pick_product, start_pick,
)
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.inventory.reservations import release_order, reserve_order
from domain.inventory.shipping import pack_order, ship_order
from domain.inventory.tasks import confirm_task, next_task_for
from domain.models import (
    Location, LocationKind, PickStepKind, SalesOrder, SalesOrderLine, StockMove, StockQuant, StockReservation,
)
from storage.engine import session_factory

from .conftest import build_world, make_order

SKUS = ["WID", "BOLT"]
BINS = ["A-01-01", "A-01-02", "B-03-01", "P-01"]
qty = st.integers(min_value=1, max_value=8)
ops = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(SKUS), st.sampled_from(BINS), qty),
    st.tuples(st.just("move"), st.sampled_from(SKUS), st.sampled_from(BINS), st.sampled_from(BINS), qty),
    st.tuples(st.just("order"), st.sampled_from(SKUS), qty),
    st.tuples(st.just("pick"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("pick"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("count"), st.sampled_from(BINS), st.sampled_from(SKUS), st.integers(0, 10)),
    st.tuples(st.just("release"), st.integers(0, 5)),
    st.tuples(st.just("ship"), st.integers(0, 5)),
)


async def _wipe(engine):
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in reversed(SQLModel.metadata.sorted_tables):
                await conn.execute(t.delete())


async def _apply(s, world, op, orders, expected):
    kind = op[0]
    if kind == "receive":
        _, sku, bin_code, q = op
        await book_receipt(s, [ReceiptInput(sku, q)], world.worker, warehouse=world.wh)
        offer = await next_task_for(s, world.worker)
        await confirm_task(s, offer.task_id, world.worker, bin_code)
        expected[sku] += q
    elif kind == "move":
        _, sku, a, b, q = op
        await move_stock(s, world.worker, warehouse=world.wh, from_bin=a, to_bin=b, product_code=sku, quantity=q)
    elif kind == "order":
        _, sku, q = op
        order = await make_order(s, world, f"SO-{len(orders) + 1}", [(sku, q)])
        await reserve_order(s, order)
        return order
    elif kind in ("pick", "release", "ship") and orders:
        order = await s.get(SalesOrder, orders[op[1] % len(orders)])
        if kind == "release":
            await release_order(s, order)
        elif kind == "ship":
            await pack_order(s, order, world.worker)
            result = await ship_order(s, order, world.worker)
            for line in result.lines:
                expected[line.sku] -= line.picked
        else:
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
    elif kind == "count":
        _, bin_code, sku, counted = op
        step = await start_count(s, world.worker, warehouse=world.wh, bin_code=bin_code)
        await record_count(s, step.count_task_id, world.worker, sku, counted)
        outcome = await finish_count(s, step.count_task_id, world.worker, VariancePolicy(percent=None, absolute=None))
        for line in outcome.lines:
            expected[line.sku] += line.variance
    return None


async def _check(s, world, expected):
    real = {loc.id: loc for loc in (await s.exec(select(Location))).all() if not LocationKind(loc.kind).virtual}
    ledger = defaultdict(Decimal)
    for m in (await s.exec(select(StockMove))).all():
        if m.to_location_id in real:
            ledger[(m.product_id, m.to_location_id, m.lot)] += m.quantity
        if m.from_location_id in real:
            ledger[(m.product_id, m.from_location_id, m.lot)] -= m.quantity
    quants = {(q.product_id, q.location_id, q.lot): q for q in (await s.exec(select(StockQuant))).all()}
    for key in set(ledger) | set(quants):
        q = quants.get(key)
        assert ledger[key] == (q.quantity if q else 0), key
    reserved = defaultdict(Decimal)
    by_line = defaultdict(Decimal)
    for r in (await s.exec(select(StockReservation))).all():
        reserved[(r.product_id, r.location_id, r.lot)] += r.quantity
        by_line[r.order_line_id] += r.quantity
    for key, q in quants.items():
        assert 0 <= q.reserved <= q.quantity, (key, q.reserved, q.quantity)
        assert q.reserved == reserved[key], key
    for line in (await s.exec(select(SalesOrderLine))).all():
        assert line.reserved_qty == by_line[line.id]
        assert 0 <= line.reserved_qty and line.reserved_qty + line.picked_qty <= line.quantity
    totals = defaultdict(Decimal)
    for (pid, _, _), q in quants.items():
        totals[pid] += q.quantity
    for sku in SKUS:
        assert totals[world.products[sku].id] == expected[sku], sku


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prelude=st.lists(st.tuples(st.just("receive"), st.sampled_from(SKUS), st.sampled_from(BINS), st.integers(5, 20)),
                     min_size=1, max_size=3),
    sequence=st.lists(ops, min_size=1, max_size=14),
)
async def test_random_work_keeps_the_ledger_consistent(engine, prelude, sequence):
    await _wipe(engine)
    sessions = session_factory(engine)
    async with sessions() as s:
        world = await build_world(s)
        await s.commit()
    orders: list[int] = []
    expected = defaultdict(Decimal)
    for op in prelude + sequence:
        async with sessions() as s:
            tentative = defaultdict(Decimal, expected)
            try:
                order = await _apply(s, world, op, orders, tentative)
                await s.commit()
            except DomainError:
                await s.rollback()
                continue
            expected = tentative
            if order is not None:
                orders.append(order.id)
        async with sessions() as s:
            await _check(s, world, expected)
