"""What native readers of the catalogs found that a catalog alone cannot fix: codes and class names
put into sentences, brackets and spaces glued on in code, words cut in half, counts without plural
forms, and lists split only on the English comma."""
from __future__ import annotations

import pytest

from bot.formatting import shorten
from bot.i18n import tr, translate
from bot.ratelimits import REFUSALS
from domain.errors import N_, Np_, NotFound, english
from domain.models import LocationKind, SalesOrderLine
from domain.punctuation import join_sentences, split_items
from domain.record_labels import LOCATION_KINDS, RECORD_KINDS, ROW_KINDS, location_kind, record_kind, row_kind

LANGS = ("ru", "bg", "ro", "zh")


def _render(err, lang):
    return err.render(lambda s: translate(lang, s))


@pytest.mark.parametrize("lang", LANGS)
def test_every_record_and_bin_kind_is_a_word_of_the_language(lang):
    for table in (RECORD_KINDS, LOCATION_KINDS, ROW_KINDS):
        for code, label in table.items():
            word = translate(lang, label)
            assert word and word != code, f"{lang}: {label.context} {code!r} is not translated"
    assert set(LOCATION_KINDS) == {k.value for k in LocationKind}
    from domain.audit.history import KINDS
    assert set(RECORD_KINDS) == set(KINDS)


@pytest.mark.parametrize("lang,expected", [
    ("en", ["I found no purchase order PO-7.", "D-01 is a dock location, not a storage bin.",
            "No such record: sales order line, id 5."]),
    ("ro", ["Nu am găsit comanda de achiziție PO-7.", "D-01 este o locație de tip rampă, nu o locație de depozitare.",
            "Înregistrarea nu există: linie de comandă de vânzare, id 5."]),
    ("zh", ["未找到采购订单 PO-7。", "D-01 是“月台”类位置，不是存储库位。", "记录不存在：销售订单行，ID 5。"]),
])
def test_domain_errors_name_kinds_in_the_readers_words(lang, expected):
    errors = [NotFound(N_("I found no {kind} {ref}."), kind=record_kind("purchase_order"), ref="PO-7"),
              NotFound(N_("{bin} is a {kind} location, not a storage bin."), bin="D-01", kind=location_kind(LocationKind.dock)),
              NotFound(N_("No such record: {what}, id {id}."), what=row_kind(SalesOrderLine), id=5)]
    assert [_render(e, lang) for e in errors] == expected
    assert str(errors[0]) == "I found no purchase order PO-7."  # the English message of the exception itself


def test_a_kind_as_record_and_as_field_label_have_their_own_words():
    from bot.dialogue.flows.history import FIELD_NAMES, KIND_NAMES
    assert translate("ro", KIND_NAMES["customer"]) == "clientul" and translate("ro", FIELD_NAMES["customer_id"]) == "client"
    assert translate("ro", KIND_NAMES["order"]) == "comanda" and translate("ro", FIELD_NAMES["order_id"]) == "comandă"
    assert english(KIND_NAMES["customer"]) == english(FIELD_NAMES["customer_id"]) == "customer"


@pytest.mark.parametrize("parts,expected", [
    (("Sending SMS mailing 4 to 2 recipients.", "About 1 min at 5/s.", "I'll send you a summary."),
     "Sending SMS mailing 4 to 2 recipients. About 1 min at 5/s. I'll send you a summary."),
    (("正在发送群发 4。", "约 1 分钟。", "完成后我会发给您汇总。"), "正在发送群发 4。约 1 分钟。完成后我会发给您汇总。"),
    (("Рассылка 4 отправляется.", "", "Пришлю итог."), "Рассылка 4 отправляется. Пришлю итог."),
    (("商机：新 → 已赢得。", "原因：价格"), "商机：新 → 已赢得。原因：价格"),
])
def test_sentences_are_joined_without_a_space_after_a_chinese_full_stop(parts, expected):
    assert join_sentences(*parts) == expected


@pytest.mark.parametrize("text,expected", [
    ("Anna Smith, 0888123456, purchasing", ["Anna Smith", "0888123456", "purchasing"]),
    ("张伟，13812345678，采购", ["张伟", "13812345678", "采购"]),
    ("张伟、13812345678", ["张伟", "13812345678"]),
])
def test_lists_split_on_english_and_chinese_commas(text, expected):
    assert split_items(text) == expected


def test_a_legal_name_is_split_from_its_tax_id_once():
    assert split_items("上海某某有限公司，91310000MA1K，备注", maxsplit=1) == ["上海某某有限公司", "91310000MA1K，备注"]


def test_labels_are_cut_between_words_with_an_ellipsis():
    label = shorten("Done: call Acme about the new price list and the delivery plan for March", 60)
    assert label == "Done: call Acme about the new price list and the delivery…"
    assert len(label) <= 60
    chinese = shorten("完成：给张伟打电话，讨论新的价格表以及三月份的交货计划并确认付款条件和运输方式", 20)
    assert chinese == "完成：给张伟打电话，讨论新的价格表以及…" and len(chinese) == 20
    assert shorten("short", 60) == "short"
    assert shorten("x" * 80, 10) == "x" * 9 + "…"  # one long word: cut, still marked


@pytest.mark.parametrize("lang,expected", [
    ("ru", ["1 секунду", "2 секунды", "5 секунд", "21 секунду"]),
    ("bg", ["1 секунда", "2 секунди", "5 секунди", "21 секунди"]),
    ("ro", ["1 secundă", "2 secunde", "5 secunde", "21 de secunde"]),
    ("en", ["1 second", "2 seconds", "5 seconds", "21 seconds"]),
])
def test_the_call_refusal_says_seconds_in_the_form_of_the_count(lang, expected):
    said = [tr(lang, REFUSALS["call"], seconds=n) for n in (1, 2, 5, 21)]
    assert all(form in text for form, text in zip(expected, said)), said


@pytest.mark.parametrize("lang,expected", [
    ("en", ["• 1 reservation older than 1 day", "• 2 reservations older than 3 days", "• 21 reservations older than 20 days"]),
    ("ru", ["• 1 резерв старше 1 дня", "• 2 резерва старше 3 дней", "• 21 резерв старше 20 дней"]),
    ("ro", ["• 1 rezervare mai veche de 1 zi", "• 2 rezervări mai vechi de 3 zile",
            "• 21 de rezervări mai vechi de 20 de zile"]),
])
def test_old_reservations_count_both_the_reservations_and_the_days(lang, expected):
    from jobs.reports import stock_digest_text
    from datetime import date
    from types import SimpleNamespace

    def digest(n, days):
        return SimpleNamespace(empty=False, negative=[], low=[], old_reservations=n, old_reservation_days=days,
                               counts_awaiting_approval=0, due_not_shipped=[], stale_drafts=[])

    texts = [stock_digest_text(digest(n, d), date(2026, 12, 7), lang, translate).splitlines()[1]
             for n, d in ((1, 1), (2, 3), (21, 20))]
    assert texts == expected
