"""Countable messages take the language's plural form (gettext's ngettext) for 1, 2, 5, 21 and 25."""
import re

import pytest

from bot.i18n import _catalog, tr, trn
from domain.errors import Np_, english
from domain.inventory.common import note


def test_english_picks_singular_or_plural():
    assert trn("en", "{n} bin to go", "{n} bins to go", 1) == "1 bin to go"
    assert trn("en", "{n} bin to go", "{n} bins to go", 5) == "5 bins to go"
    n = note(Np_("{count} bin to visit", "{count} bins to visit"), count=21)
    assert n.render() == "21 bins to visit" and english(Np_("a", "b")) == "a"


@pytest.mark.parametrize("lang,forms", [
    # the index gettext's Plural-Forms rule gives for 1, 2, 5, 21, 25
    ("ru", [0, 1, 2, 0, 2]), ("bg", [0, 1, 1, 1, 1]), ("ro", [0, 1, 1, 2, 2]), ("zh", [0, 0, 0, 0, 0]),
])
def test_each_catalog_has_its_languages_plural_rule(lang, forms):
    plural = _catalog(lang).plural
    assert [plural(n) for n in (1, 2, 5, 21, 25)] == forms


# ---------------------------------------------------------------- every countable message, every language
COUNTS = (1, 2, 5, 21, 25)


def _plural_entries(lang):
    from tests.i18n.test_catalogs import _po
    return [m for m in _po(lang) if isinstance(m.id, tuple)]


def _count_field(singular: str, plural: str) -> str:
    """The field that counts: {n} or {count} (the field gettext's form is picked by)."""
    import string
    fields = [f for _, f, _, _ in string.Formatter().parse(plural) if f]
    return "n" if "n" in fields else "count" if "count" in fields else fields[0]


@pytest.mark.parametrize("lang", ["en", "ru", "bg", "ro", "zh"])
def test_every_countable_message_renders_for_1_2_5_21_25(lang):
    """Each plural entry, in each language, with its count filled: the number shows, no form is empty,
    and no form is empty (the forms themselves: the tests below and the catalog test)."""
    import string

    entries = _plural_entries("ru")
    assert len(entries) >= 40, "the countable messages have no plural entries in the catalogs"
    for m in entries:
        singular, plural = m.id
        count = _count_field(singular, plural)
        fields = {f: "X" for _, f, _, _ in string.Formatter().parse(plural) if f and f != count}
        rendered = [tr(lang, Np_(singular, plural, count), **{count: n}, **fields) for n in COUNTS]
        for n, text in zip(COUNTS, rendered):
            assert str(n) in text, f"{lang}: {singular!r} for {n} reads {text!r}"
        assert all(rendered), f"{lang}: {singular!r} has an empty form"


@pytest.mark.parametrize("lang,expected", [
    ("en", ["Order 7, 1 bin to go.", "Order 7, 2 bins to go.", "Order 7, 5 bins to go.", "Order 7, 21 bins to go.",
            "Order 7, 25 bins to go."]),
    ("ru", ["Заказ 7, осталась 1 ячейка.", "Заказ 7, осталось 2 ячейки.", "Заказ 7, осталось 5 ячеек.",
            "Заказ 7, осталась 21 ячейка.", "Заказ 7, осталось 25 ячеек."]),
    ("bg", ["Поръчка 7, остава 1 клетка.", "Поръчка 7, остават 2 клетки.", "Поръчка 7, остават 5 клетки.",
            "Поръчка 7, остават 21 клетки.", "Поръчка 7, остават 25 клетки."]),
    ("ro", ["Comanda 7: mai rămâne 1 locație.", "Comanda 7: mai rămân 2 locații.", "Comanda 7: mai rămân 5 locații.",
            "Comanda 7: mai rămân 21 de locații.", "Comanda 7: mai rămân 25 de locații."]),
    ("zh", ["订单 7，还剩 1 个库位。", "订单 7，还剩 2 个库位。", "订单 7，还剩 5 个库位。", "订单 7，还剩 21 个库位。",
            "订单 7，还剩 25 个库位。"]),
])
def test_bins_to_go_in_every_language(lang, expected):
    assert [trn(lang, "Order {number}, {n} bin to go.", "Order {number}, {n} bins to go.", n, number=7)
            for n in COUNTS] == expected


def test_romanian_says_de_from_twenty_and_russian_days_agree():
    days = [trn("ro", "Lead time {n} day.", "Lead time {n} days.", n) for n in COUNTS]
    assert days == ["Termen de livrare 1 zi.", "Termen de livrare 2 zile.", "Termen de livrare 5 zile.",
                    "Termen de livrare 21 de zile.", "Termen de livrare 25 de zile."]
    assert [trn("ru", "Lead time {n} day.", "Lead time {n} days.", n) for n in (1, 2, 5, 21)] == [
        "Срок поставки 1 день.", "Срок поставки 2 дня.", "Срок поставки 5 дней.", "Срок поставки 21 день."]


def test_a_domain_note_takes_the_form_of_its_count():
    from bot.i18n import translate
    n = note(Np_("Pick list for order {number}: {count} bin to visit.", "Pick list for order {number}: {count} bins to visit."),
             number="7", count=21)
    assert n.render(lambda t: translate("ru", t)) == "Лист сборки заказа 7: 21 ячейка."
    assert n.render() == "Pick list for order 7: 21 bins to visit."
    one = note(Np_("Pick list for order {number}: {count} bin to visit.", "Pick list for order {number}: {count} bins to visit."),
               number="7", count=1)
    assert one.render() == "Pick list for order 7: 1 bin to visit."


# ---------------------------------------------------------------- the code: no countable message without forms
_LOOKS_COUNTED = re.compile(r"\(s\)|\{(n|count|[a-z_]*_n|left|rows|errors|lines)\} [a-z]+s\b")
# Templates that show a count as a label ("Open deals: {count}") or a noun no language declines after it.
_NOT_COUNTED = {"{n} {kind} rows."}


def test_no_countable_message_without_plural_forms():
    """A template that counts ("{n} bins", "recipient(s)") must be a plural entry (Np_, tn, trn)."""
    from tests.i18n.test_catalogs import extract_source
    wrong = sorted(t for (_ctx, t), plural in extract_source().items()
                   if plural is None and _LOOKS_COUNTED.search(t) and t not in _NOT_COUNTED)
    assert not wrong, "countable messages without plural forms (use Np_ / turn.tn / trn):\n  " + "\n  ".join(wrong)
