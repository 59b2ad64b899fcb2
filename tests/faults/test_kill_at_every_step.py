"""The process killed at every step of a pick, a receipt and a reminder: each message of
the conversation in turn is the one during which the process dies, either just before its
transaction commits (the person gets no answer, nothing of that step is kept) or just after
(the step is kept, the answer never leaves). The person then does what people do: sends the
same thing again to the restarted process, and goes on.

For every kill point the end state must be the clean run's: each bin, each receipt line,
each reminder booked or sent exactly once — nothing lost, nothing twice. The kill is a
BaseException raised at the commit (nothing catches it, as nothing survives a SIGKILL); the
restarted process is a new dialogue on the same database. (The real `qm run` under SIGKILL:
tests/jobs/test_e2e_mailing_crash.py, bench/jobs/crash.py.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import storage.uow as uow_module
from domain.models import Outbox, PurchaseOrder, PurchaseOrderLine, Product, Reminder, StockMove
from jobs.reminders import enqueue_due_reminders

from ..dialogue_helpers import Chat, dialogue_for
from .conftest import WORKER, REP
from .test_crash_mid_flow import _next_task, _two_line_order  # noqa: F401


class Kill(BaseException):
    """The process dying (not an Exception: no handler turns it into a reply)."""


def kill_at_commit(monkeypatch, when: str) -> None:
    """The next commit dies: before it reaches the database, or right after it did."""
    real = uow_module.UnitOfWork.commit

    async def commit(self):
        monkeypatch.setattr(uow_module.UnitOfWork, "commit", real)  # only once: the restarted process commits
        if when == "after":
            await real(self)
        raise Kill(when)

    monkeypatch.setattr(uow_module.UnitOfWork, "commit", commit)


async def picked(services, order) -> list:
    async with services.uow() as uow:
        moves = (await uow.session.exec(select(StockMove).where(StockMove.document == order.number,
                                                                StockMove.reason == "pick"))).all()
    return sorted((m.product_id, m.quantity) for m in moves)


PICK_STEPS = 7  # /pick, bin, product, quantity, bin, product, quantity


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("step", range(PICK_STEPS))
async def test_pick_killed_at_every_step_books_each_bin_once(services, monkeypatch, step, when):
    order = await _two_line_order(services)

    async def message(i: int) -> str:
        """Step i: /pick, then per bin its label, the product's code and the quantity, for the
        task that is open at that moment (as the worker reads it off the screen)."""
        if i == 0:
            return f"/pick {order.number}"
        task, bin_code, ean = await _next_task(services, order)
        return [bin_code, ean, str(int(task.quantity))][(i - 1) % 3]

    chat = Chat(dialogue_for(services), external_id=str(WORKER))
    for i in range(PICK_STEPS):
        text = await message(i)
        if i == step:
            kill_at_commit(monkeypatch, when)
            with pytest.raises(Kill):
                await chat.text(text)
            chat = Chat(dialogue_for(services), external_id=str(WORKER))  # the restarted process
        reply = await chat.text(text)  # sent (again): the person saw no answer
    if step == PICK_STEPS - 1 and when == "after":
        # the killed process had booked the last bin: the repeated quantity is not booked again,
        # and asking for the pick says where it stands
        reply = await chat.text(f"/pick {order.number}")
        assert "Nothing is reserved" in reply or "can't be picked yet" in reply  # (the pick consumed the reservations)
    else:
        assert "is picked" in reply
    moves = await picked(services, order)
    assert len(moves) == 2 and {q for _, q in moves} == {2}  # two bins, 2 each: none lost, none twice


RECEIPT_STEPS = 6  # /receive, sku, qty, sku, qty, done ; then the button


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("step", range(RECEIPT_STEPS + 1))
async def test_receipt_killed_at_every_step_is_booked_once(services, monkeypatch, step, when):
    async with services.uow() as uow:
        po = (await uow.session.exec(select(PurchaseOrder).where(PurchaseOrder.number == "PO-2601"))).one()
        lines = (await uow.session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                                        .order_by(PurchaseOrderLine.id))).all()
        skus = [(await uow.session.get(Product, ln.product_id)).sku for ln in lines[:2]]
    received_before = {ln.id: ln.received_quantity for ln in lines[:2]}
    script = ["/receive PO-2601", skus[0], "1", skus[1], "1", "done", ("press", "recv_book:")]
    chat = Chat(dialogue_for(services), external_id=str(WORKER))

    offered: list[str] = []  # the buttons on the person's screen (a restarted process doesn't know them)

    async def send(item):
        nonlocal offered
        if isinstance(item, tuple):  # the review's own booking button (a partial delivery asks to confirm it)
            reply = await chat.press(next((d for d in offered if d.startswith(item[1])), item[1]))
        else:
            reply = await chat.text(item)
        offered = [b.data for b in chat.buttons()] or offered
        return reply

    for i, item in enumerate(script):
        if i == step:
            kill_at_commit(monkeypatch, when)
            with pytest.raises(Kill):
                await send(item)
            chat = Chat(dialogue_for(services), external_id=str(WORKER))  # the restarted process
        reply = await send(item)  # sent (again): the person saw no answer
    if step == RECEIPT_STEPS and when == "after":
        # booked by the killed process; the second tap books nothing
        assert "no longer valid" in reply or "earlier message, so it did nothing" in reply
    else:
        assert "booked" in reply
    async with services.uow() as uow:
        s = uow.session
        moves = (await s.exec(select(StockMove).where(StockMove.document == "PO-2601",
                                                      StockMove.reason == "receipt"))).all()
        assert len(moves) == 2 and sum(m.quantity for m in moves) == 2
        for ln in lines[:2]:
            assert (await s.get(PurchaseOrderLine, ln.id)).received_quantity == received_before[ln.id] + 1


@pytest.mark.parametrize("when", ["before", "after"])
async def test_reminder_killed_while_being_queued_is_sent_once(services, monkeypatch, when):
    from datetime import datetime, timezone

    from domain.models import User

    async with services.uow() as uow:
        rep = (await uow.session.exec(select(User).where(User.telegram_id == REP))).one()
        reminder = Reminder(user_id=rep.id, text="call Acme", due_at=datetime.now(timezone.utc) + timedelta(hours=1))
        uow.session.add(reminder)
        await uow.commit()
        await uow.session.refresh(reminder)
    later = lambda: reminder.due_at + timedelta(minutes=1)  # noqa: E731
    from bot.i18n import translate

    kill_at_commit(monkeypatch, when)
    with pytest.raises(Kill):
        await enqueue_due_reminders(services.uow, now=later, translate=translate)
    await enqueue_due_reminders(services.uow, now=later, translate=translate)  # the next run, after restart
    await enqueue_due_reminders(services.uow, now=later, translate=translate)  # and one more: nothing new
    async with services.uow() as uow:
        rows = (await uow.session.exec(select(Outbox).where(Outbox.cause == f"reminder:{reminder.id}"))).all()
    assert len(rows) == 1
