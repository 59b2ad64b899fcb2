"""Entity rules for the loose ways people outside the team write (issue #20), read with the intent
given so that they do not depend on the classifier: bins without zeros ("a1-2"), the kind of contact
implied by the words (coffee, dropped by, messengers) with a plain channel word beating a vague
"wrote", warehouse codes beside Chinese text, and company names with their legal form or without
their city."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import nlu
from nlu.names import Names

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
NAMES = Names(json.loads((Path(__file__).resolve().parents[2] / "bench" / "nlu" / "names_demo.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("text, lang, intent, want", [
    ("a1-2 toner 6", "en", "count_stock", {"location": "A-01-02", "quantity": 6}),
    ("20 pcs a1-2 > b3-1", "en", "move_stock", {"from_location": "A-01-02", "to_location": "B-03-01"}),
    ("toner in c2/5?", "en", "check_stock", {"location": "C-02-05"}),
    ("а1-2 тонер 6 шт", "ru", "count_stock", {"location": "A-01-02"}),
    ("MAIN仓库还有多少蓝色小部件？", "zh", "check_stock", {"location": "MAIN"}),
    ("把DOCK-IN的30箱PAP-003上架到B-02-05", "zh", "move_stock", {"from_location": "DOCK-IN", "to_location": "B-02-05"}),
    ("how many cable ties left in main?", "en", "check_stock", {"location": "MAIN"}),
    ("12 A4 boxes, 80 g", "en", "count_stock", {"location": None}),
    ("give me a 1-2 day estimate for 30 chairs", "en", "check_stock", {"location": None}),
])
def test_bins_and_places_written_loosely(text, lang, intent, want):
    got = nlu.parse(text, lang=lang, intent=intent, now=NOW).entities
    for key, value in want.items():
        assert got.get(key) == value, (key, got)


@pytest.mark.parametrize("text, lang, channel", [
    ("had coffee with Orion's buyer, they want a quote", "en", "meeting"),
    ("dropped by Orion, happy with the delivery", "en", "meeting"),
    ("pinged Orion on viber, waiting for the PO", "en", "sms"),
    ("wrote to Orion on whatsapp about the invoice", "en", "sms"),
    ("wrote to Orion about the invoice", "en", "email"),
    ("пил кофе с Орионом, хотят скидку", "ru", "meeting"),
    ("заскочил в Орион, всё ок", "ru", "meeting"),
    ("писах на Орион във вайбър за фактурата", "bg", "sms"),
    ("минах през Орион, доволни са", "bg", "meeting"),
    ("am băut o cafea cu Orion, vor ofertă", "ro", "meeting"),
    ("i-am scris lui Orion pe whatsapp", "ro", "sms"),
    ("和华贸的采购喝了咖啡，他们要报价", "zh", "meeting"),
    ("微信上跟华贸说了发票的事", "zh", "sms"),
])
def test_channel_implied_by_the_words(text, lang, channel):
    assert nlu.parse(text, lang=lang, intent="log_interaction", now=NOW).entities.get("channel") == channel


@pytest.mark.parametrize("text, lang, intent, want", [
    ("start a deal for Globex Corporation, USB-C cables, 1000 pcs", "en", "create_deal",
     {"customer": "Globex Corporation", "product": "USB-C cables"}),
    ("goods in: CleanPro BG, hand soap 60 packs", "en", "receive_stock", {"supplier": "CleanPro BG", "product": "hand soap"}),
    ("сделка: Стройинвест АД, стоманени скоби, ~15 000 лв", "bg", "create_deal", {"customer": "Стройинвест АД"}),
    ("上次跟新科贸易联系是什么时候？", "zh", "customer_info", {"customer": "新科贸易"}),
])
def test_company_names_keep_their_legal_form_and_lose_their_city(text, lang, intent, want):
    got = nlu.parse(text, lang=lang, intent=intent, now=NOW, names=NAMES).entities
    for key, value in want.items():
        assert got.get(key) == value, (key, got)
