"""The reasons an import gives for a bad row read in the reader's language (issue #19): templates with
values, not English sentences; the English text (CLI, logs) is unchanged."""
from __future__ import annotations

import pickle
import re

import pytest

from bot.i18n import translate
from domain.dataio import validate_file

from .helpers import write

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
HEADER = "sku,name,price,currency,lot_tracked"
BAD = "\n".join([
    HEADER,
    "A-1,Bolt,-5,EUR,no",          # 2: a negative price
    "A-2,Nut,abc,EUR,no",          # 3: a text where a number should be
    "A-3,Washer,1,EURO,no",        # 4: a bad currency
    "A-4,,1,EUR,no",               # 5: an empty required column
    "A-5,Screw,\"2,5\",EUR,maybe",  # 6: a decimal comma and a bad yes/no
    "A-6," + "x" * 201 + ",1,EUR,no",  # 7: too long (a count)
    "A-8,Cap,1,EUR,yes",           # 8: a good row...
    "A-8,Cap again,2,EUR,no",      # 9: ...and its sku again
    "A-7,Pin,1,EUR,no,extra,more",  # 10: more cells than columns (a count)
]) + "\n"
# What the file itself says (column names, values) and the codes a hint quotes may stay as they are.
ALLOWED = {w.lower() for w in LATIN_WORD.findall(BAD)} | {"true", "false", "csv", "usd", "bgn", "rub", "cny", "ron"}


async def _report(session, tmp_path):
    return await validate_file(session, "products", write(tmp_path, "products.csv", BAD))


async def test_the_english_reasons_are_as_before(session, tmp_path):
    report = await _report(session, tmp_path)
    by_line = {e.line: e.reason for e in report.rows}
    assert by_line[2] == "price: -5 is negative (prices and amounts are zero or more)"
    assert by_line[3] == "price: 'abc' is not a number"
    assert by_line[4] == "currency: 'EURO' is not a currency code (EUR, USD, BGN...)"
    assert by_line[5] == "name is empty"
    assert by_line[6] == ("lot_tracked: 'maybe' is not a yes/no value (true/false, 1/0, yes/no); "
                          "price: '2,5' is not a number (CSV files use a dot as the decimal separator)")
    assert by_line[7] == "name: 201 characters, at most 200"
    assert by_line[8] == "duplicate key (sku=A-8): also on line 9"
    assert by_line[10] == "2 more cells than the header has columns (a comma in an unquoted field?)"
    assert report.render().splitlines()[1] == "line 3: price: 'abc' is not a number"


async def test_the_report_in_russian_has_no_english_in_its_reasons(session, tmp_path):
    report = await _report(session, tmp_path)
    text = report.render(translate=lambda t: translate("ru", t))
    lines = text.splitlines()
    assert len(lines) == len(report.rows) == 9, text
    for line in lines:
        english = {w for w in LATIN_WORD.findall(line) if w.lower() not in ALLOWED}
        assert not english, f"English in {line!r}: {english}"
    assert "строка 3: price: 'abc' — не число" in lines
    assert "строка 5: name: значение не заполнено" in lines
    assert "строка 7: name: 201 символ, допускается не более 200" in lines  # the plural form for 201
    assert "строка 8: повторяющийся ключ (sku=A-8): также в строке 9" in lines
    assert "строка 10: на 2 значения больше, чем столбцов в заголовке (запятая в поле без кавычек?)" in lines


@pytest.mark.parametrize("lang", ["bg", "zh", "ro"])
async def test_every_reason_is_translated_in_the_other_languages(session, tmp_path, lang):
    report = await _report(session, tmp_path)
    theirs = report.render(translate=lambda t: translate(lang, t)).splitlines()
    ours = report.render().splitlines()
    assert len(theirs) == len(ours) == 9
    for mine, english in zip(theirs, ours):
        reason, english_reason = re.split("[:：]", mine, maxsplit=1)[1], english.split(":", 1)[1]
        assert reason != english_reason, f"{lang}: not translated: {english!r}"
        if lang != "ro":  # Romanian is written in Latin letters: the test above is for the other scripts
            words = {w for w in LATIN_WORD.findall(reason) if w.lower() not in ALLOWED}
            assert not words, f"{lang}: English in {mine!r}: {words}"


async def test_a_reason_keeps_its_template_through_pickle(session, tmp_path):
    report = await _report(session, tmp_path)
    reason = pickle.loads(pickle.dumps(report.rows[4].reason))  # line 6: two reasons joined
    assert reason == report.rows[4].reason
    assert reason.render(lambda t: translate("ru", t)) == (
        "lot_tracked: 'maybe' — не «да» и не «нет» (true/false, 1/0, да/нет); "
        "price: '2,5' — не число (в файлах CSV дробную часть отделяет точка)")


async def test_a_missing_column_is_said_with_the_languages_plural(session, tmp_path):
    one = await validate_file(session, "products", write(tmp_path, "one.csv", "sku,price\nA,1\n"))
    assert one.rows[0].reason == "missing column: name"
    assert one.render(translate=lambda t: translate("ru", t)) == "строка 1: не хватает столбца: name"
    two = await validate_file(session, "products", write(tmp_path, "two.csv", "price\n1\n"))
    assert two.rows[0].reason == "missing columns: sku, name"
    assert two.render(translate=lambda t: translate("bg", t)) == "ред 1: липсват колони: sku, name"
