"""Entity rules that do not depend on the classifier (the intent is given, as a clarification
button gives it): bins typed on a Cyrillic keyboard, Romanian "de la X la Y", a mention's
full stop and possessive, Romanian units typed without diacritics, stage words; and the
"sure" rule (threshold and margin)."""
from datetime import datetime, timezone

import pytest

import nlu
from nlu.confidence import ASK_BELOW, MARGIN, is_sure

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, lang, intent, want", [
    ("SKU CLE-111 18шт б-3-2 на п-2-1", "ru", "move_stock", {"from_location": "B-03-02", "to_location": "P-02-01"}),
    ("пересчитай а-04-01", "ru", "count_stock", {"location": "A-04-01"}),
    ("muta 5 buc WID-001 de la A-02-01 la DOCK-IN", "ro", "move_stock", {"from_location": "A-02-01", "to_location": "DOCK-IN"}),
    ("transfer PAP-003 de pe b0203 pe a0101, 10 buc", "ro", "move_stock", {"from_location": "B-02-03", "to_location": "A-01-01"}),
    ("Hello, this is Blue Harbour Trading. Where is order 5123?", "en", "order_status",
     {"order_ref": "5123", "customer": "Blue Harbour Trading"}),
    ("Здравствуйте, это Орион Трейд. Где заказ 5123?", "ru", "order_status", {"customer": "Орион Трейд"}),
    ("a venit marfa: 12 role folie", "ro", "receive_stock", {"quantity": 12, "unit": "roll"}),
    ("au venit 12 role de folie", "ro", "receive_stock", {"unit": "roll"}),
    ("12 role folie primite", "ro", "receive_stock", {"quantity": 12}),
    ("Орион Трейд квалифицировал, бюджет подтверждён", "ru", "update_deal", {"stage": "qualified"}),
    ("новая сделка Орион, стадия новая", "ru", "create_deal", {"stage": "new"}),
    ("calld Orion Trading about the invoice", "en", "log_interaction", {"channel": "call"}),
    # a day of the month alone is its next occurrence (now is 7 December)
    ("deliver 6 desks to Orion on the 21st", "en", "create_order", {"date": "2026-12-21"}),
    ("deliver on the 3rd", "en", "create_order", {"date": "2027-01-03"}),
    ("fix the light on the 2nd floor", "en", "unknown", {"date": None}),
    ("напомни мне 18-го про отчёт", "ru", "create_reminder", {"date": "2026-12-18"}),
    ("доставка на 5-ти", "bg", "create_order", {"date": "2027-01-05"}),
    ("livrare pe 18", "ro", "create_order", {"date": "2026-12-18"}),
    ("18号送货", "zh", "create_order", {"date": "2026-12-18"}),
])
def test_entities_as_written(text, lang, intent, want):
    got = nlu.parse(text, lang=lang, intent=intent, now=NOW).entities
    for key, value in want.items():
        assert got.get(key) == value, (key, got)


def test_possessive_and_full_stop_are_not_part_of_the_name():
    from nlu.entities import _tidy

    assert _tidy("Orion Trading.") == "Orion Trading"
    assert _tidy("Orion's") == "Orion"
    assert _tidy("ACME Ltd.") == "ACME Ltd."
    assert _tidy("ИП Голубева А.С.") == "ИП Голубева А.С."


def test_sure_needs_the_threshold_and_a_lead_over_the_runner_up():
    assert not is_sure(ASK_BELOW - 0.01, 0.0)
    assert is_sure(max(ASK_BELOW, MARGIN) + 0.01, 0.0)
    if MARGIN > 0:
        assert not is_sure(0.99, 0.99 - MARGIN / 2)
    assert is_sure(0.5, 0.49 - MARGIN, ask_below=0.4)  # the setting's threshold replaces ASK_BELOW
    assert not is_sure(0.5, 0.0, ask_below=0.6)
