"""No raw code and no English in the Russian, Bulgarian, Romanian and Chinese interfaces.

Statuses, units, forecasting methods and import kinds are codes in the database; people read
words. Each is rendered in every language and checked for the code or the English word; then a
whole warehouse job (pick, pack, ship) in Russian, its delivery note PDF and the plan XLSX are
read back and checked for English words (names, SKUs, bin codes and other data are allowed).
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.formatting import format_quantity, unit_word
from bot.i18n import translate
from domain.dataio.kind_labels import KIND_LABELS
from domain.planning.reasons import METHOD_LABELS, method_label
from domain.status_labels import STATUS_LABELS, all_labels, status_label
from domain.units import UNIT_LABELS

LANGS = ("ru", "bg", "ro", "zh")
# Proper names and internationally written abbreviations a translation keeps as they are.
PROPER = {"croston", "syntetos", "boylan", "abc", "xyz", "sms", "sku", "pdf", "utc", "moq", "xlsx", "csv"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Metric symbols, and "set", are the same in Romanian and English.
SAME_IN_ROMANIAN = {"kg", "g", "l", "m", "set"}


def _latin_words(text: str, allowed: set[str] = frozenset()) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w.lower() not in PROPER and w.lower() not in allowed}


@pytest.mark.parametrize("lang", LANGS)
def test_every_status_is_a_word_of_its_kind_in_the_language(lang):
    for kind, code, label in all_labels():
        word = translate(lang, label)
        assert word and word != str(label), f"{lang}: {kind} status {code!r} is not translated ({label!r})"
        assert code not in word.split(), f"{lang}: the raw code {code!r} shows for {kind}"
        if lang != "ro":
            assert not _latin_words(word), f"{lang}: English in the {kind} status {code!r}: {word!r}"
    # one English word, different words by gender: the order and the count are not "cancelled"/"done" alike
    assert translate("ru", status_label("cancelled", "order")) != translate("ru", status_label("cancelled", "mailing"))
    assert translate("bg", status_label("cancelled", "pick list")) != translate("bg", status_label("cancelled", "invoice"))
    # the SMS/phone and the dialogue share the one table: no second list of order statuses elsewhere
    assert set(STATUS_LABELS["order"]) == set(STATUS_LABELS["order for the customer"])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("n", [1, 2, 5, 21, 25, Decimal("2.5")])
def test_units_are_words_with_the_languages_plural_forms(lang, n):
    for code in UNIT_LABELS:
        text = format_quantity(n, code, lang)
        words = set(re.findall(r"[^\W\d_]+\.?", text))
        english = {code, code.rstrip("s"), f"{code}s", "pc", "pcs", "box", "boxes", "pack", "packs", "roll", "rolls"}
        if lang == "ro" and code in SAME_IN_ROMANIAN:
            continue
        assert not words & english, f"{lang}: {n} {code} reads {text!r}"
        assert not _latin_words(text) or lang == "ro", f"{lang}: {n} {code} reads {text!r}"
        assert unit_word(code, lang) and unit_word(code, lang) not in ("", code)


@pytest.mark.parametrize("lang,unit,expected", [
    ("ru", "box", ["1 коробка", "2 коробки", "5 коробок", "21 коробка", "25 коробок"]),
    ("bg", "box", ["1 кутия", "2 кутии", "5 кутии", "21 кутии", "25 кутии"]),
    ("ro", "box", ["1 cutie", "2 cutii", "5 cutii", "21 de cutii", "25 de cutii"]),
    ("zh", "box", ["1 箱", "2 箱", "5 箱", "21 箱", "25 箱"]),
    ("ru", "pcs", ["1 шт.", "2 шт.", "5 шт.", "21 шт.", "25 шт."]),
    ("en", "pcs", ["1 pc", "2 pcs", "5 pcs", "21 pcs", "25 pcs"]),
])
def test_unit_forms_for_1_2_5_21_25(lang, unit, expected):
    assert [format_quantity(n, unit, lang) for n in (1, 2, 5, 21, 25)] == expected
    assert format_quantity(Decimal("10.000"), unit, lang).startswith("10 ")  # a whole quantity without decimals


@pytest.mark.parametrize("lang", LANGS)
def test_methods_and_import_kinds_are_words(lang):
    for code in ("ma28", "ses", "croston", "sba", "none"):
        word = translate(lang, method_label(code))
        assert word != str(method_label(code)) and (code in PROPER or code not in word.lower().split())
    for code, label in {**METHOD_LABELS, **KIND_LABELS}.items():
        word = translate(lang, label)
        assert word != str(label) and "_" not in word, f"{lang}: {code} reads {word!r}"
        if lang != "ro":
            assert not _latin_words(word), f"{lang}: English in {code}: {word!r}"


# ---------------------------------------------------------------- a Russian warehouse job, end to end
@pytest.fixture
async def services(demo_engine, demo_database_url):
    from domain.models import Role, User
    from tests.dialogue_helpers import make_services

    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900, language="ru"))
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=901, language="ru"))
        await uow.commit()
    return services


async def _data_words(services) -> set[str]:
    """Words that are data, not interface: names, codes and addresses from the company's records."""
    from domain.models import Customer, Location, Product, Supplier, Warehouse

    out: set[str] = {"demo", "trading", "ltd"}  # the company
    async with services.uow() as uow:
        for model, fields in ((Product, ("sku", "name")), (Customer, ("code", "name", "legal_name", "address", "city", "country")),
                              (Location, ("code", "barcode")), (Warehouse, ("code", "name")), (Supplier, ("code", "name"))):
            for row in (await uow.session.exec(select(model))).all():
                for f in fields:
                    out |= {w.lower() for w in LATIN_WORD.findall(str(getattr(row, f, "") or ""))}
    return out


async def test_a_russian_pick_pack_ship_and_its_delivery_note_carry_no_english(services):
    from pypdf import PdfReader

    from domain.models import Barcode, Location, PickList, PickTask
    from tests.dialogue_helpers import Chat, dialogue_for
    from tests.test_warehouse_flow import _order_with_stock

    from domain.models import Customer

    order = await _order_with_stock(services)
    async with services.uow() as uow:  # the delivery note speaks the customer's language
        (await uow.session.get(Customer, order.customer_id)).language = "ru"
        await uow.commit()
    data = await _data_words(services)
    worker = Chat(dialogue_for(services), external_id="900", lang="ru")
    replies = [await worker.text(f"/pick {order.number}")]
    async with services.uow() as uow:
        pl = (await uow.session.exec(select(PickList).where(PickList.order_id == order.id))).one()
        task = (await uow.session.exec(select(PickTask).where(PickTask.pick_list_id == pl.id))).first()
        bin_ = await uow.session.get(Location, task.location_id)
        ean = (await uow.session.exec(select(Barcode).where(Barcode.product_id == task.product_id,
                                                             Barcode.pack_qty == 1))).first().code
    replies.append(await worker.text(bin_.barcode))
    replies.append(await worker.text(ean))
    assert "Сколько" in replies[-1] and "pcs" not in replies[-1]
    replies.append(await worker.text("7"))  # too many: the refusal names the quantity with its unit
    assert re.search(r"максимум 3 (шт\.|коробк|упаковк|рулон|набор)", replies[-1]), replies[-1]
    replies.append(await worker.text("3"))
    replies.append(await worker.text(f"/pack {order.number}"))
    shipped = await worker.send(kind="callback", callback=f"ship:{order.id}")
    replies += [r.text for r in shipped]
    for text in replies:
        assert not _latin_words(text, data), f"English in a Russian reply: {_latin_words(text, data)} in {text!r}"
    pdf = shipped[0].attachments[0].data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Заказано" in text and "Отгружено" in text and re.search(r"3 (шт\.|коробк|упаковк|рулон|набор)", text), text
    assert not _latin_words(text, data), f"English in the Russian delivery note: {_latin_words(text, data)}"


async def test_the_plan_workbook_in_russian_carries_no_english(session, tmp_path):
    from openpyxl import load_workbook

    from bot.reports.planning import write_plan_xlsx
    from domain.planning import PlanningConfig, run_plan, supplier_performance
    from tests.planning.helpers import TODAY, history, product, stock, supplier, terms, warehouse

    wh = await warehouse(session)
    p = await product(session, "WID-001")
    kit = await product(session, "GLUE-7")
    s = await supplier(session)
    await terms(session, p, s, lead=7, moq=100, multiple=20)
    await history(session, p, wh, [10, 14] * 182 + [10])
    await history(session, kit, wh, ([0] * 6 + [9]) * 52)
    await stock(session, p, wh, 60, reserved=5)
    result = await run_plan(session, config=PlanningConfig(variability_days=28), today=TODAY, save=False)
    performance = await supplier_performance(session, today=TODAY)
    path = write_plan_xlsx(result, tmp_path / "plan.xlsx", performance, translate=lambda t: translate("ru", t), lang="ru")
    allowed = {"wid", "glue", "main", "nord", "product", "nordic", "supplier"}  # test data: codes and names
    wb = load_workbook(path)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    english = sorted({w for v in cells for w in _latin_words(v, allowed)})
    assert not english, f"English in the Russian plan workbook: {english}"
    assert any(v in ("Да", "Нет") for v in cells) and "скользящее среднее" in cells
    assert any("Продаётся около" in v and "," in v for v in cells)  # reasons in words, Russian decimal comma
