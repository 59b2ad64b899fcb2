"""The "Is it one of these?" buttons can be answered by typing their number, as the console
shows them and as people do under Telegram's buttons: "1" is the first reading, the number
after the readings is "Neither", any other number is no answer to them."""
from sqlmodel import select

from domain.models import NluCorrection

from .conftest import Parsed


def unsure() -> Parsed:  # a new one each time: a chosen reading is made sure on its parse
    return Parsed("customer_info", {"customer": "blue ocean"}, confidence=0.4,
                  alternatives=[("customer_info", 0.4), ("order_status", 0.35)])


async def _corrections(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(NluCorrection))).all()


async def test_a_typed_number_picks_that_reading(chat, customers, nlu, services):
    rep = chat("rep")
    nlu.next = unsure()
    assert "Is it one of these?" in await rep.text("blue ocean")
    reply = await rep.text("1")
    assert "Blue Ocean Ltd (C0002)" in reply
    [kept] = await _corrections(services)
    assert kept.intent == "customer_info" and kept.text == "blue ocean"
    # the choice is spent: the same number again is an ordinary message for the parser
    nlu.next = Parsed("unknown", confidence=0.9)
    assert "Blue Ocean" not in await rep.text("1")


async def test_the_number_after_the_readings_is_neither_and_others_are_no_answer(chat, customers, nlu, services):
    rep = chat("rep")
    nlu.next = unsure()
    assert "Is it one of these?" in await rep.text("the ocean people")
    nlu.next = Parsed("unknown", confidence=0.9)
    assert "Blue Ocean" not in await rep.text("7")  # no such button: the parser reads it
    assert nlu.calls[-1] == "7"
    assert "other words" in await rep.text("3")
    assert await _corrections(services) == []
