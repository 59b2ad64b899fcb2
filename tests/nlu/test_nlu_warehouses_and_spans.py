"""Entity rules of issue #20's fifth round, read with the intent given so that they do not depend on the
classifier: warehouses named by their city or as "main/central" in five languages, an empty bin counted
as zero, a remark after "note:" in every language, the first item of a list as the product, the product
before "from <place>" or before its count, names with a hyphen, quotes or an abbreviation inside,
Chinese company names, lost reasons and a report's stage filter."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import nlu
from nlu.names import Names

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
NAMES = Names(json.loads((Path(__file__).resolve().parents[2] / "bench" / "nlu" / "names_demo.json").read_text(encoding="utf-8")))


def ents(text, lang, intent):
    return nlu.parse(text, lang=lang, intent=intent, now=NOW, names=NAMES).entities


@pytest.mark.parametrize("text, lang, intent, want", [
    ("ship 12 cartons of napkins over to Varna", "en", "move_stock", {"to_location": "NORTH"}),
    ("any gel pens left at the Plovdiv warehouse?", "en", "check_stock", {"location": "EAST"}),
    ("toner in the central warehouse?", "en", "check_stock", {"location": "MAIN"}),
    ("перебрось 6 коробок скрепок в Пловдив", "ru", "move_stock", {"to_location": "EAST"}),
    ("сколько степлеров в Варне", "ru", "check_stock", {"location": "NORTH"}),
    ("маркеры на основном складе остались?", "ru", "check_stock", {"location": "MAIN"}),
    ("пратете 5 кашона салфетки към Варна", "bg", "move_stock", {"to_location": "NORTH"}),
    ("trimite 8 cutii pixuri la depozitul din Varna", "ro", "move_stock", {"to_location": "NORTH"}),
    ("mai sunt capsatoare in depozitul central?", "ro", "check_stock", {"location": "MAIN"}),
    ("瓦尔纳还有多少订书机", "zh", "check_stock", {"location": "NORTH"}),
    ("一箱胶带调去普罗夫迪夫仓", "zh", "move_stock", {"to_location": "EAST"}),
    ("lamps in TRANSIT go to B-02-01", "en", "move_stock", {"from_location": "TRANSIT", "to_location": "B-02-01"}),
    ("email all customers in Varna about the price list", "en", "send_mailing", {"location": None}),
])
def test_warehouses_named_as_people_name_them(text, lang, intent, want):
    got = ents(text, lang, intent)
    for key, value in want.items():
        assert got.get(key) == value, (key, got)


@pytest.mark.parametrize("text, lang", [
    ("C-02-01 is empty", "en"), ("B-01-04 пустая", "ru"), ("A-03-02 е празна", "bg"), ("P-02-02 e goala", "ro"), ("B-03-03没货了", "zh"),
])
def test_an_empty_bin_counts_zero(text, lang):
    assert ents(text, lang, "count_stock").get("quantity") == 0


@pytest.mark.parametrize("text, lang, note", [
    ("order for Globex: 6 boxes of toner, remark: leave at reception", "en", "leave at reception"),
    ("заказ Вектор 4 коробки бумаги, примечание: счёт на другое юрлицо", "ru", "счёт на другое юрлицо"),
    ("поръчка за Рила Маркет 10 кашона салфетки, бележка: след 14ч", "bg", "след 14ч"),
    ("comanda Delta Birotica 5 cutii toner, obs: livrare dupa ora 12", "ro", "livrare dupa ora 12"),
    ("给深圳新科贸易下单，墨盒10盒，备注：周五前送到", "zh", "周五前送到"),
])
def test_a_remark_after_a_note_word_is_the_note(text, lang, note):
    assert ents(text, lang, "create_order").get("note") == note


@pytest.mark.parametrize("text, lang, intent, want", [
    ("Globex: 4 staplers, 10 rulers, deliver monday", "en", "create_order", {"product": "staplers"}),
    ("coffee filters out of DOCK-IN into A-02-02", "en", "move_stock", {"product": "coffee filters"}),
    ("разложи салфетки с DOCK-IN по B-01-01", "ru", "move_stock", {"product": "салфетки"}),
    ("приняли скрепки металлические, 30 коробок", "ru", "receive_stock", {"product": "скрепки металлические", "quantity": 30}),
    ("do we carry bamboo cutlery?", "en", "check_stock", {"product": "bamboo cutlery"}),
    ("any eco notebooks in stock", "en", "check_stock", {"product": "eco notebooks"}),
    ("заведи клиента ООО «Ландыш», тел +7 921 111 22 33", "ru", "create_customer", {"customer": "ООО «Ландыш»"}),
    ("add customer Nova-Print Ltd, 0888 123 456", "en", "create_customer", {"customer": "Nova-Print Ltd"}),
    ("厦门海鸥贸易的付款情况怎么样", "zh", "customer_info", {"customer": "厦门海鸥贸易"}),
    ("帮成都蓉城办公下个单，白板5块", "zh", "create_order", {"customer": "成都蓉城办公"}),
    ("Orbit Office a renuntat, au luat de la concurenta", "ro", "update_deal", {"stage": "lost", "lost_reason": "au luat de la concurenta"}),
    ("深圳新科贸易丢单了，交期太长", "zh", "update_deal", {"stage": "lost", "lost_reason": "交期太长"}),
    ("how many deals did we win in november", "en", "sales_report", {"stage": "won"}),
])
def test_product_and_name_spans(text, lang, intent, want):
    got = ents(text, lang, intent)
    for key, value in want.items():
        assert got.get(key) == value, (key, got)


@pytest.mark.parametrize("text, lang, note", [
    ("remind me tomorrow to send the samples to Globex", "en", "send the samples to Globex"),
    ("ping me in 2 hours about the Orbit invoice", "en", "the Orbit invoice"),
    ("напомни ми утре да пратя договора на Рила Маркет", "bg", "да пратя договора на Рила Маркет"),
    ("в четвъртък да се обадя на Стройинвест, напомни ми", "bg", "да се обадя на Стройинвест"),
    ("aminteste-mi maine sa trimit factura la Delta", "ro", "sa trimit factura la Delta"),
])
def test_reminder_text(text, lang, note):
    assert ents(text, lang, "create_reminder").get("note") == note


@pytest.mark.parametrize("text, lang, intent, want", [
    ("Nordic Supply доставили, 4 паллеты, ПО 3310", "ru", "receive_stock", {"order_ref": "3310", "product": None}),
    ("Sino Trading 到了3托，采购单3311", "zh", "receive_stock", {"order_ref": "3311"}),
    ("где сейчас so-2040", "ru", "order_status", {"order_ref": "SO-2040"}),
    ("что лежит на р-01-03", "ru", "check_stock", {"location": "P-01-03"}),
    ("adauga clientul Arges Mobila SA", "ro", "create_customer", {"customer": "Arges Mobila SA"}),
    ("Дунав Пак разтоварихме, 6 палета", "bg", "receive_stock", {"supplier": "Дунав Пак", "product": None}),
])
def test_codes_and_names_written_locally(text, lang, intent, want):
    got = ents(text, lang, intent)
    for key, value in want.items():
        assert got.get(key) == value, (key, got)
