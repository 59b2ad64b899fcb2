"""A crash in the middle of warehouse work: the process dies inside a booking's transaction,
after some of its rows were written (a BaseException, like the signal that kills the process:
nothing catches it, no reply goes out, the transaction never commits). A new dialogue on the
same database is the restarted process.

The pick resumes at the task that was being confirmed, the task before it stays booked once;
the receipt is booked once, whole. (Resuming a pick in a fresh session without a crash is
tests/warehouse/test_picking.py::test_interrupted_pick_resumes_in_a_fresh_session; a double
submitted confirmation is tests/warehouse/test_concurrency.py; SIGKILL of `qm run` mid-mailing
is tests/jobs/test_e2e_mailing_crash.py.)"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

import domain.inventory.picking as picking
import domain.inventory.receiving as receiving
from domain.models import (
    Barcode, Customer, Location, PickList, PickTask, Product, PurchaseOrder, PurchaseOrderLine, Receipt, StockMove,
    StockQuant, User, Warehouse,
)
from domain.orders.lifecycle import LineInput, confirm_order, create_order

from ..dialogue_helpers import Chat, dialogue_for
from .conftest import BOSS, WORKER, ledger_snapshot


class Crash(BaseException):
    """The process dying: not an Exception, so no handler turns it into a reply."""


def crash_on_call(monkeypatch, module, n: int, name: str = "post_move", label=lambda args, kw: kw.get("reason")) -> list:
    """module.<name> does its writes, then the process dies on the n-th call."""
    real, calls = getattr(module, name), []

    async def wrapped(*args, **kw):
        result = await real(*args, **kw)
        calls.append(label(args, kw))
        if len(calls) == n:
            raise Crash(f"killed after {name} #{n}")
        return result

    monkeypatch.setattr(module, name, wrapped)
    return calls


def restart(services, who=WORKER) -> Chat:
    return Chat(dialogue_for(services), external_id=str(who))


async def _two_line_order(services):
    async with services.uow() as uow:
        s = uow.session
        boss = (await s.exec(select(User).where(User.telegram_id == BOSS))).one()
        main = (await s.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
        rows = (await s.exec(
            select(StockQuant, Product).join(Location, Location.id == StockQuant.location_id)
            .join(Product, Product.id == StockQuant.product_id)
            .where(Location.warehouse_id == main.id, Location.kind == "storage", StockQuant.quantity >= 5,
                   StockQuant.reserved == 0, Product.lot_tracked.is_(False)).order_by(StockQuant.id))).all()
        products = list(dict.fromkeys(p.id for _, p in rows))[:2]
        assert len(products) == 2
        customer = (await s.exec(select(Customer).where(Customer.home_warehouse_id == main.id))).first()
        order = await create_order(s, boss, customer_id=customer.id, lines=[LineInput(p, Decimal(2)) for p in products])
        assert (await confirm_order(s, boss, order.id)).reserved_complete
        await uow.commit()
        return order


async def _next_task(services, order):
    async with services.uow() as uow:
        s = uow.session
        pl = (await s.exec(select(PickList).where(PickList.order_id == order.id))).one()
        task = (await s.exec(select(PickTask).where(PickTask.pick_list_id == pl.id, PickTask.done_at.is_(None))
                             .order_by(PickTask.seq))).first()
        bin_ = await s.get(Location, task.location_id)
        ean = (await s.exec(select(Barcode.code).where(Barcode.product_id == task.product_id, Barcode.pack_qty == 1))).first()
        return task, bin_.barcode, ean


async def _pick_one(worker, services, order) -> str:
    task, bin_code, ean = await _next_task(services, order)
    await worker.text(bin_code)
    await worker.text(ean)
    return await worker.text(str(int(task.quantity)))


async def test_pick_killed_while_booking_the_second_bin_resumes_there(services, monkeypatch):
    order = await _two_line_order(services)
    worker = restart(services)
    assert "scan its label" in await worker.text(f"/pick {order.number}")
    first, _, _ = await _next_task(services, order)
    await _pick_one(worker, services, order)  # first bin booked and committed
    after_first = await ledger_snapshot(services, order)
    assert after_first["picked"] == 2

    second, bin_code, ean = await _next_task(services, order)
    assert second.id != first.id
    await worker.text(bin_code)
    await worker.text(ean)
    state_before = await ledger_snapshot(services, order)
    # book_task writes the whole booking (reservation, quants, line, task, move: one statement on PostgreSQL)
    calls = crash_on_call(monkeypatch, picking, 1, "book_task", label=lambda args, kw: args[4])
    with pytest.raises(Crash):
        await worker.text("2")
    assert calls == [Decimal(2)]  # the booking was written inside the transaction, then the process died
    assert await ledger_snapshot(services, order) == state_before  # none of it survived
    monkeypatch.undo()

    worker = restart(services)
    assert "Resuming" in await worker.text(f"/pick {order.number}")  # picking it again says where it stands
    resumed, _, _ = await _next_task(services, order)
    assert resumed.id == second.id  # at the second bin, not the first
    reply = await _pick_one(worker, services, order)
    assert "is picked" in reply
    done = await ledger_snapshot(services, order)
    assert done["picked"] == 4  # 2 + 2: each bin booked exactly once
    async with services.uow() as uow:
        moves = (await uow.session.exec(select(StockMove).where(StockMove.document == order.number,
                                                                StockMove.reason == "pick"))).all()
    assert sorted((m.product_id, m.quantity) for m in moves) == sorted(
        [(first.product_id, Decimal(2)), (second.product_id, Decimal(2))])


async def test_receipt_killed_half_way_through_its_lines_is_booked_once_after_restart(services, monkeypatch):
    async with services.uow() as uow:
        po = (await uow.session.exec(select(PurchaseOrder).where(PurchaseOrder.number == "PO-2601"))).one()
        lines = (await uow.session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                                        .order_by(PurchaseOrderLine.id))).all()
        skus = [(await uow.session.get(Product, ln.product_id)).sku for ln in lines[:2]]
    assert len(skus) == 2, "PO-2601 needs two lines for this test"
    received_before = {ln.id: ln.received_quantity for ln in lines}

    worker = restart(services)
    assert "Receiving against PO-2601" in await worker.text("/receive PO-2601")
    for sku in skus:
        assert "How many" in await worker.text(sku)
        assert "noted" in await worker.text("1")
    assert "To book" in await worker.text("done")
    # the review's own booking button (a partial delivery asks to confirm its difference)
    book = next(b.data for b in worker.buttons() if b.data.startswith("recv_book:"))
    before = await ledger_snapshot(services)

    crash_on_call(monkeypatch, receiving, 2)  # the first line's move is written, the second's too, then death
    with pytest.raises(Crash):
        await worker.press(book)
    assert await ledger_snapshot(services) == before
    async with services.uow() as uow:
        assert (await uow.session.exec(select(func.count()).select_from(Receipt))).one() == 0
    monkeypatch.undo()

    worker = restart(services)
    assert "booked" in await worker.press(book)  # the review was still waiting for the tap
    assert "earlier message, so it did nothing" in await worker.press(book)  # a second tap books nothing
    async with services.uow() as uow:
        s = uow.session
        assert (await s.exec(select(func.count()).select_from(Receipt))).one() == 1
        moves = (await s.exec(select(StockMove).where(StockMove.document == "PO-2601", StockMove.reason == "receipt"))).all()
        assert len(moves) == 2 and sum(m.quantity for m in moves) == 2
        for ln in lines[:2]:
            assert (await s.get(PurchaseOrderLine, ln.id)).received_quantity == received_before[ln.id] + 1
