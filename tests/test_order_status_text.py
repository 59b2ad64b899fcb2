"""The SMS status of an order shipped in part names both parts: what shipped, what still follows and when
(from the purchase order or the lead time), and what is already reserved and being prepared."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.twilio.order_status_text import order_status_text
from domain.orders.backorders import Owed
from domain.orders.status import LineView, OrderStatusView


def _view(status: str, owed: list[Owed]) -> OrderStatusView:
    return OrderStatusView(number="1042", status=status, promised_date=date(2026, 12, 20), shipped_at=None,
                           delivered_at=None, lines=[LineView("Blue widget", Decimal(50), Decimal(33)),
                                                     LineView("Bolt", Decimal(10), Decimal(0))],
                           customer_language="en", owed=owed)


def test_what_waits_for_stock_says_when_and_what_is_reserved_says_it_is_being_prepared():
    owed = [Owed(1, "WID-001", "Blue widget", Decimal(17), Decimal(0), None),
            Owed(2, "BOLT", "Bolt", Decimal(10), Decimal(10), date(2026, 12, 12))]
    assert order_status_text(_view("partially_shipped", owed), "en") == (
        "Order 1042: partly shipped. Shipped: Blue widget 33/50. To follow: Bolt 10, expected 12 Dec 2026. "
        "To follow: Blue widget 17, being prepared for shipping now.")


def test_a_partly_shipped_order_picked_again_is_still_told_as_partly_shipped():
    owed = [Owed(1, "WID-001", "Blue widget", Decimal(17), Decimal(0), None)]
    text = order_status_text(_view("picking", owed), "en")
    assert text.startswith("Order 1042: partly shipped.") and "being prepared" in text and "Expected" not in text


def test_without_a_known_date_the_rest_still_follows():
    owed = [Owed(1, "WID-001", "Blue widget", Decimal(17), Decimal(17), None)]
    assert order_status_text(_view("partially_shipped", owed), "en").endswith("To follow: Blue widget 17.")


def test_shipped_in_full_says_nothing_follows():
    text = order_status_text(_view("shipped", []), "en")
    assert text.startswith("Order 1042: shipped. Shipped: Blue widget 33/50.") and "To follow" not in text
