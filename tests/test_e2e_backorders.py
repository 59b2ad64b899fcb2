"""End to end through the real `qm run`, the local Bot API server and the local Twilio server: an order
shipped in two parts.

A manager orders 50 blue widgets for ACME with 33 on hand -> the warehouse picks, packs and ships the 33
-> the customer's SMS (sent through the Twilio API) says 17 follow and when (the open purchase order's
date) -> the customer texts the order number (a signed webhook) and /status in Telegram show both parts
-> 20 arrive on the purchase order and are put away: the 17 are reserved at once and the order is on the
pick list -> picked, packed, shipped -> exactly one more SMS -> the order is shipped in full, with one
invoice per shipment, and nothing is reserved or owed any more.

What is asserted is what the two servers received (Telegram messages and documents, SMS bodies, the
webhook's TwiML answer) and what the database holds.
"""
from __future__ import annotations

import re
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.formatting import format_date as long_day
from domain.models import (
    Invoice, Outbox, SalesOrder, SalesOrderLine, Shipment, StockReservation,
)

from .fakes.fixtures import TWILIO_NUMBER
from .fakes.telegram_server import TelegramServer
from .fakes.twilio_server import TwilioServer
from .backorder_company import EAN, PHONE, add_backorder_company
from .qm_process import TOKEN, QmRun, free_port, in_database, qm_env

BOSS, WORKER = 7301, 7302
BIN_LABELS = {"A-01-01": "LOCA0101", "A-01-02": "LOCA0102"}


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def twilio():
    with TwilioServer(numbers=[TWILIO_NUMBER]) as server:
        yield server


async def _company(s) -> None:
    await add_backorder_company(s, boss=BOSS, worker=WORKER)
    await s.commit()


class Person:
    """Someone in a Telegram chat with the bot: writes, presses buttons, waits for the reply that says `expect`."""

    def __init__(self, tg: TelegramServer, chat_id: int, name: str):
        self.tg, self.id, self.name = tg, chat_id, name

    def say(self, text: str, expect: str | re.Pattern, timeout: float = 60):
        self.tg.send_text(self.id, text, first_name=self.name, language_code="en")
        return self.wait(expect, timeout)

    def press(self, call, data: str, expect: str, timeout: float = 60):
        self.tg.press_button(self.id, call, data, first_name=self.name, language_code="en")
        return self.wait(expect, timeout)

    def wait(self, expect: str | re.Pattern, timeout: float = 60):
        test = expect.search if isinstance(expect, re.Pattern) else (lambda text: expect in text)
        return self.tg.wait_for(lambda c: bool(test(c.text or "")), chat_id=self.id, timeout=timeout)[0]

    def documents(self, count: int) -> list[str]:
        calls = self.tg.wait_for(chat_id=self.id, method="sendDocument", count=count, timeout=60)
        return [f.filename for c in calls for f in c.files.values()]


def _buttons(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    if isinstance(markup, str):
        import json
        markup = json.loads(markup)
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


def _pick(worker: Person, first) -> None:
    """Works a pick list from its first prompt to the end, bin by bin, as the picker would."""
    prompt = first
    while "is picked" not in prompt.text:
        bin_code = re.search(r"Go to bin (\S+) ", prompt.text).group(1)
        worker.say(BIN_LABELS[bin_code], "scan Blue widget")
        needed = worker.say(EAN, "needed")
        qty = re.search(r"\? (\d+) needed", needed.text).group(1)
        prompt = worker.say(qty, re.compile(r"Go to bin|is picked"))


def _sms_status(twilio: TwilioServer, port: int, body: str) -> str:
    """The customer texts the number: Twilio posts the signed webhook to the process, which answers in TwiML."""
    status, reply = twilio.inbound(f"http://127.0.0.1:{port}/twilio/sms", PHONE, TWILIO_NUMBER, body)
    assert status == 200, reply
    return reply.decode()


def test_order_of_50_with_33_on_hand_ships_in_two_parts(telegram, twilio, database_url, tmp_path):
    in_database(database_url, _company)
    port = free_port()
    env = qm_env(database_url, telegram, **{**twilio.env(), "TWILIO_FROM_NUMBER": TWILIO_NUMBER},
                 QM_PUBLIC_URL=f"http://127.0.0.1:{port}", QM_HTTP_PORT=str(port), QM_JOBS__OUTBOX_EVERY_S="0.5",
                 QM_ORDERS__INVOICE_POLICY="delivered")
    expected = date.today() + timedelta(days=5)
    with QmRun(env, tmp_path / "qm.log") as proc:
        boss, worker = Person(telegram, BOSS, "Elena"), Person(telegram, WORKER, "Ivan")

        # The order: 50, of which 33 are on hand.
        boss.say("/order acme", "New order")
        added = boss.say("50 blue widget", "The order so far")
        when = boss.press(added, "order_done:", "Delivery date")
        summary = boss.press(when, "order_day:", "Order for ACME Ltd")
        confirmed = boss.press(summary, "order_ok:confirm", "confirmed")
        assert "Backorder: 17 \u00d7 WID-001" in confirmed.text, confirmed.text
        number = in_database(database_url, lambda s: _one_order_number(s))

        # Pick, pack and ship the 33.
        _pick(worker, worker.say(f"/pick {number}", "Go to bin"))
        worker.say(f"/pack {number}", "packed")
        first = worker.say(f"/ship {number}", "shipped in part")
        assert "Still owed: 17 \u00d7 WID-001" in first.text, first.text
        docs = worker.documents(2)
        assert docs[0].startswith("delivery-note-") and docs[1].startswith("INV-"), docs

        # The customer's SMS: 17 to follow, with the purchase order's date.
        [sms] = twilio.wait_for(to=PHONE, timeout=30)
        assert sms.body == (f"Part of your order {number} is on its way. 17 \u00d7 Blue widget to follow, "
                            f"expected {expected.isoformat()}."), sms.body
        day = long_day(expected, "en")  # the one date format of the locale, in SMS too
        answer = _sms_status(twilio, proc.port, f"where is my order {number}")
        assert "partly shipped" in answer and "Blue widget 33/50" in answer, answer
        assert f"To follow: Blue widget 17, expected {day}." in answer, answer
        board = boss.say(f"/status {number}", f"Order {number}")
        assert "Status: partly shipped" in board.text and "33 shipped" in board.text, board.text
        assert f"Still owed: 17 \u00d7 WID-001, expected {long_day(expected, 'en')}." in board.text, board.text

        # 20 arrive on PO-7 and are put away: 17 are reserved for the order at once.
        worker.say("/receive PO-7", "Receiving against PO-7")
        worker.say(EAN, "How many")
        worker.say("20", "noted")
        review = worker.say("done", "To book")
        worker.press(review, next(b for b in _buttons(review) if b.startswith("recv_book:")), "booked")
        task = worker.say("/next", "Put away")
        target = re.search(r"to bin (\S+), then", task.text).group(1)
        put = worker.say(BIN_LABELS[target], "Moved 20")
        assert f"now on the pick list: {number}" in put.text, put.text
        reserved = in_database(database_url, lambda s: _reserved(s))
        assert reserved == Decimal(17)
        board = boss.say(f"/status {number}", f"Order {number}")
        assert "Still owed: 17 \u00d7 WID-001, reserved and on the pick list." in board.text, board.text
        answer = _sms_status(twilio, proc.port, number)
        assert "To follow: Blue widget 17, being prepared for shipping now." in answer and "expected" not in answer, answer

        # The order is on the pick list: chosen there, picked, packed and shipped.
        listing = worker.say("/pick", "Which order do you pick?")
        order_id = in_database(database_url, lambda s: _order_id(s, number))
        _pick(worker, worker.press(listing, f"pick_order:{order_id}", "Go to bin"))
        worker.say(f"/pack {number}", "packed")
        worker.say(f"/ship {number}", f"Order {number} shipped.")
        docs = worker.documents(2)
        assert docs[0].startswith("delivery-note-") and docs[1].startswith("INV-"), docs

        # Exactly one more SMS, for the rest.
        twilio.wait_for(to=PHONE, count=2, timeout=30)
        time.sleep(2)  # a duplicate would be sent by the next outbox rounds (every 0.5 s)
        bodies = [m.body for m in twilio.messages(to=PHONE)]
        assert len(bodies) == 2 and bodies[1].startswith(f"The rest of your order {number} is on its way"), bodies
        answer = _sms_status(twilio, proc.port, f"order {number}")
        assert f"Order {number}: shipped." in answer and "To follow" not in answer, answer

    order, line, invoices, shipments, left, sms_rows = in_database(database_url, lambda s: _final(s, number))
    assert order.status == "shipped" and (line.quantity, line.shipped_qty, line.backordered) == (50, 50, 0)
    assert [(i.kind, i.amount, i.status) for i in invoices] == [("invoice", Decimal("330.00"), "open"),
                                                                 ("invoice", Decimal("170.00"), "open")]
    assert sorted(i.shipment_id for i in invoices) == sorted(sh.id for sh in shipments) and len(shipments) == 2
    assert left == 0
    assert [(r.status, r.recipient) for r in sms_rows] == [("sent", PHONE), ("sent", PHONE)]


async def _one_order_number(s) -> str:
    return (await s.exec(select(SalesOrder.number))).one()


async def _order_id(s, number: str) -> int:
    return (await s.exec(select(SalesOrder.id).where(SalesOrder.number == number))).one()


async def _reserved(s) -> Decimal:
    return sum((r.quantity for r in (await s.exec(select(StockReservation))).all()), Decimal(0))


async def _final(s, number: str):
    order = (await s.exec(select(SalesOrder).where(SalesOrder.number == number))).one()
    line = (await s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).one()
    invoices = (await s.exec(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id))).all()
    shipments = (await s.exec(select(Shipment).where(Shipment.order_id == order.id))).all()
    rows = (await s.exec(select(Outbox).where(Outbox.channel == "sms").order_by(Outbox.id))).all()
    return order, line, invoices, shipments, await _reserved(s), rows
