"""Nothing is lost silently (issue #19): an unanswered question is finished, carried, or the person
is told exactly what was dropped and how to add it back; leaving a flow says what was not saved."""
from __future__ import annotations

from sqlmodel import func, select

from domain.models import CountLine, SalesOrder

from .conftest import BOSS, REP, WORKER


async def _orders(services) -> int:
    async with services.uow() as uow:
        return (await uow.session.exec(select(func.count()).select_from(SalesOrder))).one()


async def test_done_while_which_product_waits_asks_again_then_names_what_is_left_out(services, chat):
    rep = chat(REP)
    await rep.text("/order Acme")
    assert "Which product do you mean?" in await rep.text("10 paper")
    again = await rep.text("done")
    assert "10 \u00d7 \u201cpaper\u201d is not in the order yet" in again and "Which product" in again
    assert any(b.data.startswith("order_prod:") for b in rep.buttons())  # the choice is offered again
    dropped = await rep.text("done")
    assert "Left out: 10 \u00d7 \u201cpaper\u201d" in dropped and "type it again" in dropped


async def test_the_product_typed_as_the_answer_carries_the_quantity(services, chat):
    rep = chat(REP)
    await rep.text("/order Acme")
    await rep.text("10 paper")
    added = await rep.text("PAP-011")  # the answer to "which product?", typed
    assert "Added" in added and "Premium A4 copy paper" in added and "10" in added


async def test_a_new_line_instead_of_the_answer_names_the_waiting_one(services, chat):
    rep = chat(REP)
    await rep.text("/order Acme")
    await rep.text("10 paper")
    reply = await rep.text("2 PAP-012")
    assert "Left out: 10 \u00d7 \u201cpaper\u201d" in reply and "Added" in reply


async def test_cancel_or_another_command_says_what_was_not_saved(services, chat):
    rep = chat(REP)
    orders = await _orders(services)
    await rep.text("/order Acme")
    await rep.text("3 PAP-011")
    await rep.text("10 paper")
    reply = await rep.text("/cancel")
    assert "was not saved" in reply and "PAP" not in reply.split("not saved")[0]
    assert "Premium A4 copy paper" in reply and "\u201cpaper\u201d" in reply and "Cancelled" in reply
    await rep.text("/order Acme")
    await rep.text("3 PAP-011")
    assert "was not saved" in await rep.text("/log Acme")  # another flow started: told, too
    assert await _orders(services) == orders  # nothing was saved, as said


async def test_receive_never_drops_a_scanned_product_without_a_word(services, chat):
    worker = chat(WORKER)
    await worker.text("/receive")
    await worker.text("PAP-011")
    replaced = await worker.text("PAP-012")
    assert "PAP-011" in replaced and "got no quantity" in replaced
    await worker.text("5")
    await worker.text("PAP-021")
    review = await worker.text("done")
    assert "To book" in review and "PAP-021) is not in it" in review
    assert "not booked" in await worker.text("/cancel")


async def test_count_never_drops_a_scanned_product_and_done_is_no_lot(services, chat):
    worker = chat(WORKER)
    await worker.text("/count A-01-01")
    await worker.text("PAP-011")
    replaced = await worker.text("PAP-012")
    assert "PAP-011 was scanned but got no quantity" in replaced
    asked = await worker.text("done")
    assert "Finish the count of A-01-01?" in asked and "PAP-012 was scanned but got no quantity" in asked
    async with services.uow() as uow:
        assert (await uow.session.exec(select(func.count()).select_from(CountLine))).one() == 0
    assert "stays open" in await worker.text("/cancel")  # the count is kept: /count A-01-01 carries on
    assert "Resuming the count" in await worker.text("/count A-01-01")


async def test_done_at_a_lot_question_is_not_taken_as_the_lot(services, chat):
    from domain.models import Location, Product, StockQuant

    async with services.uow() as uow:
        q, loc, p = (await uow.session.exec(select(StockQuant, Location, Product)
                                            .join(Location, Location.id == StockQuant.location_id)
                                            .join(Product, Product.id == StockQuant.product_id)
                                            .where(StockQuant.lot != "", Location.kind == "storage"))).first()
    boss = chat(BOSS)
    await boss.text(f"/count {loc.code}")
    await boss.text(p.sku)
    assert "lot" in await boss.text("4")
    asked = await boss.text("done")
    assert "Finish the count" in asked and f"{p.sku} still waits for its lot" in asked
    async with services.uow() as uow:
        assert not (await uow.session.exec(select(CountLine).where(CountLine.lot == "done"))).all()


async def test_text_at_a_buttons_only_question_asks_again_instead_of_dropping_the_flow(services, chat):
    rep = chat(REP)
    await rep.text("/newcustomer ACME Ltd.")
    await rep.press("cc:skip")
    assert "already have" in await rep.press("cc:skip")
    reply = await rep.text("hello")
    assert "choose one of the buttons" in reply and "already have" in reply
    assert "Customer ACME Ltd. was not created" in await rep.text("/cancel")
