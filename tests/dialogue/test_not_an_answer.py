"""Words typed in the middle of a flow that are clearly no answer (issue #19): never taken as a
product code; the person is told which flow they are in, a stock or order question is answered on
the side, and the flow stays where it was."""
from __future__ import annotations

import pytest
from sqlmodel import select

from bot.dialogue.asides import not_an_answer
from domain.models import Conversation

from .conftest import REP, WORKER


async def _step(services, who) -> tuple[str | None, str | None]:
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation).where(Conversation.external_id == str(who)))).one()
        return conv.flow, conv.step


async def test_a_russian_question_during_a_count_is_answered_and_the_count_goes_on(services, chat):
    worker = chat(WORKER)
    await worker.text("/count A-01-01")
    reply = await worker.text("где заказ 1042?")
    assert "No product with code" not in reply
    assert "Order 1042" in reply and "still in the middle of counting a bin" in reply
    assert await _step(services, WORKER) == ("count", "lines")
    assert "how many do you see" in await worker.text("PAP-011")  # the count carries on where it was


async def test_a_stock_question_mid_pick_is_answered_and_the_pick_kept(services, chat):
    from ..test_warehouse_flow import _order_with_stock

    order = await _order_with_stock(services)
    worker = chat(WORKER)
    await worker.text(f"/pick {order.number}")
    reply = await worker.text("what's my stock of PAP-011")
    assert "No product with code" not in reply and "No location" not in reply
    assert "on hand" in reply and "still in the middle of picking an order" in reply and "scan its label" in reply
    assert await _step(services, WORKER) == ("pick", "work")


async def test_words_that_are_no_question_get_the_flow_named_and_the_question_again(services, chat):
    worker = chat(WORKER)
    await worker.text("/move")
    reply = await worker.text("hello how are you")
    assert "middle of moving stock" in reply and "/cancel" in reply and "Scan the bin you take it from" in reply
    assert await _step(services, WORKER) == ("move", "from")


async def test_a_question_in_an_order_line_step_is_not_an_order_line(services, chat):
    rep = chat(REP)
    await rep.text("/order Acme")
    reply = await rep.text("where is order 1042?")
    assert "Order 1042" in reply and "still in the middle of a new order" in reply
    assert await _step(services, REP) == ("order", "lines")


@pytest.mark.parametrize("text", ["4006381333931", "A-01-02", "12", "12.5", "12 kg", "done", "no lot", "без партии",
                                  "(01)04006381333931(10)L42", "L42"])
def test_answers_stay_answers(text):
    assert not not_an_answer(text, code_step=True)


@pytest.mark.parametrize("text", ["где заказ 1042?", "what's my stock of A4 paper", "how are you today", "订单1042在哪里",
                                  "¿dónde está?"])
def test_words_are_no_answer_in_a_code_step(text):
    assert not_an_answer(text, code_step=True)


def test_only_a_question_is_no_answer_in_a_text_step():
    assert not_an_answer("is Acme a customer?", code_step=False)
    assert not not_an_answer("10 A4 paper for the office", code_step=False)
