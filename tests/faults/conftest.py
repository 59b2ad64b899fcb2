"""Fault and abuse tests on the demo company: a warehouse worker, a manager and a sales rep
on Telegram, services built like `qm run` builds them (barcode decoder loaded)."""
from __future__ import annotations

import pytest

from bot.app import load_decoder
from domain.models import Role, User

from ..dialogue_helpers import Chat, dialogue_for, make_services

WORKER, BOSS, REP = 900, 901, 902


def build_services(engine, url, **overrides):
    services = make_services(engine, url, **overrides)
    services.decode_image = load_decoder()
    return services


async def add_people(services) -> None:
    async with services.uow() as uow:
        uow.session.add_all([User(name="Georgi", role=Role.warehouse, telegram_id=WORKER),
                             User(name="Boss", role=Role.manager, telegram_id=BOSS),
                             User(name="Rita", role=Role.sales, telegram_id=REP)])
        await uow.commit()


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url)
    await add_people(services)
    return services


@pytest.fixture
def chat(services):
    dialogue = dialogue_for(services)
    return lambda who=WORKER: Chat(dialogue, external_id=str(who))


async def pick_up_to_quantity(services, worker: Chat):
    """A confirmed order for 3 of one product; the worker has started its pick and scanned the
    bin and the product, so the next message is the quantity. Returns (order, task)."""
    from sqlmodel import select

    from domain.models import Barcode, Location, PickList, PickTask

    from ..test_warehouse_flow import _order_with_stock

    order = await _order_with_stock(services)
    assert "scan its label" in await worker.text(f"/pick {order.number}")
    async with services.uow() as uow:
        s = uow.session
        pl = (await s.exec(select(PickList).where(PickList.order_id == order.id))).one()
        task = (await s.exec(select(PickTask).where(PickTask.pick_list_id == pl.id))).first()
        bin_ = await s.get(Location, task.location_id)
        ean = (await s.exec(select(Barcode).where(Barcode.product_id == task.product_id, Barcode.pack_qty == 1))).first().code
    assert "scan" in (await worker.text(bin_.barcode)).lower()
    assert "how many" in (await worker.text(ean)).lower()
    return order, task


async def ledger_snapshot(services, order=None) -> dict:
    """What must not change when a message fails: stock moves (count, and this order's pick
    quantity), quants, open pick tasks, the conversation states."""
    from sqlmodel import func, select

    from domain.models import Conversation, PickTask, StockMove, StockQuant

    async with services.uow() as uow:
        s = uow.session
        snap = {
            "moves": (await s.exec(select(func.count()).select_from(StockMove))).one(),
            "quants": sorted((q.product_id, q.location_id, str(q.quantity), str(q.reserved))
                             for q in (await s.exec(select(StockQuant))).all()),
            "pick_tasks": sorted((t.id, t.step, str(t.picked_qty), str(t.short_qty), t.done_at is None)
                                 for t in (await s.exec(select(PickTask))).all()),
            "conversations": sorted((c.external_id, c.flow, c.step, repr(sorted((c.data or {}).items())))
                                    for c in (await s.exec(select(Conversation))).all()),
        }
        if order is not None:
            snap["picked"] = sum(m.quantity for m in (await s.exec(
                select(StockMove).where(StockMove.document == order.number, StockMove.reason == "pick"))).all())
    return snap


FIGURES: list[tuple[str, dict]] = []


@pytest.fixture
def record_figure():
    """Records a fault's figures (recovery time, messages lost/duplicated); printed at the end of the
    run (docs/reliability.md quotes them)."""
    def record(fault: str, **figures) -> None:
        FIGURES.append((fault, figures))

    return record


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault figures")
        for fault, figures in FIGURES:
            terminalreporter.write_line(f"{fault}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
