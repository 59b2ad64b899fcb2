"""Random receipts, put-aways, moves, picks, transfers and counts of products kept by lot never lose
or merge a lot, and never lose or change a lot's expiry:

- per product and lot, the stock everywhere equals what came in plus count differences (tracked here);
- every record of a lot carries the expiry the lot was received with, and nothing of the lot-tracked
  product sits without a lot;
- after a count the bin holds exactly what was counted, lot by lot, and nothing of the lots not seen.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import select

from domain.errors import DomainError
from domain.inventory.counting import VariancePolicy, finish_count, record_count, start_count
from domain.inventory.moves import move_stock
from domain.inventory.picking import confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.receiving import ReceiptInput, book_receipt
from domain.inventory.reservations import reserve_order
from domain.inventory.tasks import confirm_task, next_task_for
from domain.inventory.transfers import TransferInput, receive_transfer, send_transfer
from domain.models import Location, LocationKind, PickStepKind, Product, SalesOrder, StockQuant
from storage.engine import session_factory

from .conftest import build_world, make_order
from .test_properties import _check, _wipe

# MILK is lot- and expiry-tracked; WID is not, but some of it comes in lots too (with and without expiry).
LOTS = {("MILK", "M1"): date(2027, 1, 10), ("MILK", "M2"): date(2027, 2, 20), ("MILK", "M3"): date(2027, 3, 30),
        ("WID", "W1"): date(2028, 1, 1), ("WID", "W2"): None, ("WID", ""): None}
KEYS = sorted(LOTS)
BINS = ["A-01-01", "A-01-02", "B-03-01", "C-01-01"]
qty = st.integers(min_value=1, max_value=9)
ops = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(KEYS), st.sampled_from(BINS), qty),
    st.tuples(st.just("move"), st.sampled_from(KEYS), st.sampled_from(BINS), st.sampled_from(BINS), qty),
    st.tuples(st.just("pick"), st.sampled_from(["MILK", "WID"]), qty),
    st.tuples(st.just("transfer"), st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(BINS), qty),
                                            min_size=1, max_size=3)),
    st.tuples(st.just("count"), st.sampled_from(BINS),
              st.dictionaries(st.sampled_from(KEYS), st.integers(0, 12), max_size=4)),
)


async def _apply(s, world, op, expected) -> None:
    kind = op[0]
    if kind == "receive":
        _, (sku, lot), bin_code, q = op
        await book_receipt(s, [ReceiptInput(sku, q, lot=lot, expiry=LOTS[(sku, lot)])], world.worker, warehouse=world.wh)
        offer = await next_task_for(s, world.worker)
        await confirm_task(s, offer.task_id, world.worker, bin_code)
        expected[(sku, lot)] += q
    elif kind == "move":
        _, (sku, lot), a, b, q = op
        await move_stock(s, world.worker, warehouse=world.wh, from_bin=a, to_bin=b, product_code=sku, quantity=q, lot=lot)
    elif kind == "pick":  # reserve (FEFO) and pick it all to the packing dock
        _, sku, q = op
        n = len((await s.exec(select(SalesOrder))).all())
        order = await make_order(s, world, f"SO-L{n + 1}", [(sku, q)])
        await reserve_order(s, order)
        step = await start_pick(s, order, world.worker)
        while step.expect != PickStepKind.done:
            if step.expect == PickStepKind.scan_bin:
                step = await scan_pick_bin(s, step.pick_list_id, world.worker, step.bin_code)
            elif step.expect == PickStepKind.scan_product:
                step = await scan_pick_product(s, step.pick_list_id, world.worker, step.sku)
            else:
                step = await confirm_pick_quantity(s, step.pick_list_id, world.worker, step.quantity)
    elif kind == "transfer":  # several lines, lots named; received in the other warehouse at once
        lines = [TransferInput(from_bin=b, code=sku, quantity=q, lot=lot) for (sku, lot), b, q in op[1]]
        sent = await send_transfer(s, world.worker, from_warehouse=world.wh, to_warehouse=world.wh2, lines=lines)
        await receive_transfer(s, world.worker, sent.number, bin_code="E-01")
    elif kind == "count":
        _, bin_code, counted = op
        step = await start_count(s, world.worker, warehouse=world.wh, bin_code=bin_code)
        for (sku, lot), q in sorted(counted.items()):
            await record_count(s, step.count_task_id, world.worker, sku, q, lot=lot, no_lot=not lot,
                               expiry=LOTS[(sku, lot)])  # as read from the label
        outcome = await finish_count(s, step.count_task_id, world.worker, VariancePolicy(percent=None, absolute=None))
        for line in outcome.lines:
            expected[(line.sku, line.lot)] += line.variance
        # The bin now holds exactly what was counted, lot by lot; the lots not seen are empty.
        products = {p.id: p.sku for p in (await s.exec(select(Product))).all()}
        held = {(products[q.product_id], q.lot): q.quantity for q in (await s.exec(select(StockQuant).where(
            StockQuant.location_id == world.bins[bin_code].id).execution_options(populate_existing=True))).all()
            if q.quantity}
        assert held == {k: Decimal(v) for k, v in counted.items() if v}, (held, counted)


async def _check_lots(s, world, expected) -> None:
    real = {loc.id for loc in (await s.exec(select(Location))).all() if not LocationKind(loc.kind).virtual}
    products = {p.id: p.sku for p in (await s.exec(select(Product))).all()}
    totals = defaultdict(Decimal)
    for q in (await s.exec(select(StockQuant).execution_options(populate_existing=True))).all():
        if q.location_id not in real or q.quantity == 0:
            continue
        key = (products[q.product_id], q.lot)
        assert key in LOTS, f"a record of an unknown lot {key}"
        assert q.expiry == LOTS[key], (key, q.expiry)  # the expiry is the one the lot came with
        totals[key] += q.quantity
    for key in KEYS:
        assert totals[key] == expected[key], (key, totals[key], expected[key])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prelude=st.lists(st.tuples(st.just("receive"), st.sampled_from(KEYS), st.sampled_from(BINS), st.integers(5, 20)),
                     min_size=2, max_size=5),
    sequence=st.lists(ops, min_size=1, max_size=12),
)
async def test_random_work_never_loses_or_merges_a_lot(engine, prelude, sequence):
    await _wipe(engine)
    sessions = session_factory(engine)
    async with sessions() as s:
        world = await build_world(s)
        await s.commit()
    expected = defaultdict(Decimal)
    for op in prelude + sequence:
        async with sessions() as s:
            tentative = defaultdict(Decimal, expected)
            try:
                await _apply(s, world, op, tentative)
                await s.commit()
            except DomainError:
                await s.rollback()
                continue
            expected = tentative
        async with sessions() as s:
            await _check_lots(s, world, expected)
            await _check(s, world, defaultdict(Decimal, {sku: sum(v for (k, _), v in expected.items() if k == sku)
                                                          for sku in ("WID", "BOLT")}))
