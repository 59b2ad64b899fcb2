"""The nlu contract: shape of the result, intents per language, entity formats, the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import nlu
from domain.errors import InvalidInput
from nlu.intents import INTENTS

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Sofia"))  # a Friday


def test_contract_example():
    r = nlu.parse("remind me to call Acme tomorrow at 10", lang=None, now=NOW)
    assert r.intent == "create_reminder"
    assert 0.0 <= r.confidence <= 1.0
    assert r.lang == "en"
    assert r.entities["customer"] == "Acme"
    assert r.entities["datetime"] == "2026-11-21T10:00:00+02:00"
    assert r.alternatives[0][0] == r.intent and len(r.alternatives) >= 2
    assert set(r.to_dict()) == {"text", "lang", "intent", "confidence", "entities"}


@pytest.mark.parametrize("text,intent,entities", [
    ("called Acme, they want 50 chairs, call back Friday", "log_interaction", {"customer": "Acme", "quantity": 50, "channel": "call", "date": "2026-11-27"}),
    ("new deal with Acme, 200 chairs, 20k EUR", "create_deal", {"customer": "Acme", "amount": 20000, "currency": "EUR", "quantity": 200}),
    ("Acme deal lost, price too high", "update_deal", {"stage": "lost", "lost_reason": "price too high"}),
    ("add customer Blue Ocean Ltd, +359 888 123 456", "create_customer", {"customer": "Blue Ocean Ltd", "phone": "+359888123456"}),
    ("order 10 boxes of A4 paper for Acme, deliver Monday", "create_order", {"quantity": 10, "unit": "box", "product": "A4 paper", "customer": "Acme", "date": "2026-11-23"}),
    ("where is order 1042?", "order_status", {"order_ref": "1042"}),
    ("how many blue widgets do we have in the main warehouse?", "check_stock", {"product": "blue widgets"}),
    ("received 100 widgets from Nordic Supply", "receive_stock", {"quantity": 100, "supplier": "Nordic Supply"}),
    ("move 20 widgets from A-01-02 to B-03-01", "move_stock", {"from_location": "A-01-02", "to_location": "B-03-01", "quantity": 20}),
    ("start picking order 1042", "start_picking", {"order_ref": "1042"}),
    ("bin A-01-02 has 37 widgets", "count_stock", {"location": "A-01-02", "quantity": 37}),
    ("what should we reorder this week?", "replenishment_plan", {}),
    ("what's on my list today?", "list_tasks", {}),
    ("how does the pipeline look this month?", "sales_report", {}),
    ("text all A-customers about the spring sale", "send_mailing", {}),
    ("what can you do?", "help", {}),
    ("never mind", "cancel", {}),
    ("tell me a joke", "unknown", {}),
])
def test_english_examples(text, intent, entities):
    r = nlu.parse(text, now=NOW)
    assert r.intent == intent
    for key, value in entities.items():
        assert r.entities.get(key) == value, (key, r.entities)


@pytest.mark.parametrize("text,lang,intent,entities", [
    ("где заказ 1042?", "ru", "order_status", {"order_ref": "1042"}),
    ("privet, gde zakaz 1042", "ru", "order_status", {"order_ref": "1042"}),
    ("напомни позвонить Акме в следующую пятницу в 10", "ru", "create_reminder", {"datetime": "2026-11-27T10:00:00+02:00"}),
    ("5 тыс. руб за двадцать пять коробок", "ru", None, {"amount": 5000, "currency": "RUB", "quantity": 25, "unit": "box"}),
    ("утре в 9 да се обадя на Акме", "bg", "create_reminder", {"datetime": "2026-11-21T09:00:00+02:00"}),
    ("двайсет кашона хартия за Билла", "bg", "create_order", {"quantity": 20, "customer": "Билла"}),
    ("300 лв. за Билла в петък", "bg", None, {"amount": 300, "currency": "BGN", "date": "2026-11-27"}),
    ("vinerea viitoare livrare douăzeci de cutii pentru Altex", "ro", "create_order", {"quantity": 20, "unit": "box", "date": "2026-11-27"}),
    ("500 lei", "ro", None, {"amount": 500, "currency": "RON"}),
    ("下周五给蓝海公司送二十箱A4纸", "zh", "create_order", {"quantity": 20, "unit": "box", "date": "2026-11-27"}),
    ("2000元", "zh", None, {"amount": 2000, "currency": "CNY"}),
])
def test_other_languages(text, lang, intent, entities):
    r = nlu.parse(text, now=NOW)
    assert r.lang == lang
    if intent:
        assert r.intent == intent
    for key, value in entities.items():
        assert r.entities.get(key) == value, (key, r.entities)


@pytest.mark.parametrize("text,unit", [
    ("how many boxes of A4 paper are left", "box"),   # a unit named without a number
    ("сколько коробок бумаги осталось", "box"),
    ("колко кашона хартия имаме", "carton"),
    ("получили 40 шт WID-001", "pcs"),                  # an abbreviation becomes the code too
    ("au venit 12 topuri hartie", "ream"),
    ("收到 50个 WID-001", "pcs"),
    ("3台打印机", None),                                 # a counting word is no unit of stock
    ("set a reminder for Acme tomorrow", None),         # "set" without a number is no unit
])
def test_units_are_company_codes_in_every_language(text, unit):
    assert nlu.parse(text, now=NOW).entities.get("unit") == unit


def test_every_intent_trained_in_every_language():
    from nlu.train import read_templates

    for lang in nlu.LANGS:
        _, intents = read_templates(lang)
        assert set(intents) == set(INTENTS), lang


def test_relative_day_without_time_is_a_date():
    r = nlu.parse("call back tomorrow", lang="en", now=NOW)
    assert r.entities.get("date") == "2026-11-21" and "datetime" not in r.entities


def test_bad_input_is_refused():
    with pytest.raises(InvalidInput):
        nlu.parse("hello", lang="de")
    with pytest.raises(InvalidInput):
        nlu.parse("hello", tz="Mars/Base")


def _qm(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot", "parse", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_single_message():
    p = _qm("--now", "2026-11-20T10:00:00+02:00", "where is order 1042?")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["intent"] == "order_status" and out["entities"]["order_ref"] == "1042"
    assert set(out) == {"text", "lang", "intent", "confidence", "entities"}


def test_cli_jsonl_streams_one_line_per_input():
    lines = [{"text": "where is order 1042?"}, {"text": "где заказ 7?", "lang": "ru"},
             {"text": "remind me tomorrow", "now": "2026-11-20T10:00:00+02:00", "tz": "Europe/Sofia"}]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    p = _qm("--jsonl", "-", stdin=stdin)
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["intent"] == "order_status" and rows[1]["lang"] == "ru"
    assert rows[2]["entities"]["date"] == "2026-11-21"
    assert "error" in rows[3] and p.returncode == 1


@pytest.mark.parametrize("text,note,customer", [
    ("напомни в пятницу отправить КП Вектору", "отправить КП Вектору", None),   # no "в" left of "в пятницу"
    ("напомни мне во вторник позвонить Смирнову", "позвонить Смирнову", "Смирнову"),
    ("напомни в пятницу в 9 отправить КП", "отправить КП", None),
    ("remind me on friday to send the quote to Acme", "send the quote to Acme", "Acme"),  # not "send"
])
def test_reminder_text_without_its_date_words(text, note, customer):
    r = nlu.parse(text, now=NOW)
    assert r.intent == "create_reminder"
    assert r.entities.get("note") == note and r.entities.get("customer") == customer, r.entities
