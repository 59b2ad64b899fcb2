from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.dataio import values as v


@pytest.mark.parametrize("raw,expected", [
    ("true", True), ("FALSE", False), ("1", True), ("0", False), ("yes", True), ("No", False),
    ("да", True), ("нет", False), (" y ", True), (True, True), (0, False), (1.0, True),
])
def test_booleans(raw, expected):
    assert v.boolean(raw) is expected


@pytest.mark.parametrize("raw,expected", [
    ("da", True), ("Da", True), ("nu", False), ("NU", False), ("adevărat", True), ("fals", False),  # ro
    ("是", True), ("否", False), ("对", True), ("不", False),  # zh
    ("да", True), ("не", False), ("Нет", False),  # ru, bg
])
def test_booleans_in_each_language(raw, expected):
    assert v.boolean(raw) is expected


def test_boolean_refuses_other_words():
    with pytest.raises(v.BadValue, match="maybe"):
        v.boolean("maybe")


@pytest.mark.parametrize("raw,expected", [
    ("2026-11-02", date(2026, 11, 2)),
    ("2026-11-02T09:30:00", date(2026, 11, 2)),
    ("2026-11-02 00:00:00", date(2026, 11, 2)),
    (45000, date(2023, 3, 15)),  # Excel serial number
    ("45000", date(2023, 3, 15)),
    (45000.75, date(2023, 3, 15)),
    (datetime(2024, 2, 29, 13, 0), date(2024, 2, 29)),
])
def test_dates(raw, expected):
    assert v.day(raw) == expected


def test_date_refuses_local_formats():
    with pytest.raises(v.BadValue, match="YYYY-MM-DD"):
        v.day("02/11/2026")


def test_decimals_csv_wants_a_dot_xlsx_text_may_have_a_comma():
    assert v.decimal("12.50") == Decimal("12.50")
    assert v.decimal(2.5) == Decimal("2.5")
    with pytest.raises(v.BadValue, match="dot"):
        v.decimal("12,5")
    assert v.decimal("12,5", from_xlsx=True) == Decimal("12.5")
    assert v.decimal("1 250,75", from_xlsx=True) == Decimal("1250.75")
    assert v.decimal("1.250,75", from_xlsx=True) == Decimal("1250.75")
    with pytest.raises(v.BadValue):
        v.decimal("twelve", from_xlsx=True)


def test_phones_become_e164_in_the_rows_country():
    assert v.phone("0888 123 456", "BG") == "+359888123456"
    assert v.phone("8 (495) 123-45-67", "RU") == "+74951234567"
    assert v.phone("021 6321 8888", "CN") == "+862163218888"
    assert v.phone("+49 30 901820", "BG") == "+4930901820"
    with pytest.raises(v.BadValue):
        v.phone("12", "BG")
    with pytest.raises(v.BadValue, match="country code"):
        v.phone("0888 123 456", None)


def test_ean_lost_leading_zero_is_repaired_only_when_the_check_digit_proves_it():
    assert v.barcode("4006381333931") == ("4006381333931", None)
    code, note = v.barcode("761830001239")
    assert code == "0761830001239" and "leading zero" in note
    assert v.barcode(761830001239.0)[0] == "0761830001239"
    with pytest.raises(v.BadValue, match="check digit"):
        v.barcode("400638133393")
    with pytest.raises(v.BadValue, match="check digit"):
        v.barcode("4006381333932")
    with pytest.raises(v.BadValue, match="rounded"):
        v.barcode("4.00638E+12")
    assert v.barcode("WID-001-BOX") == ("WID-001-BOX", None)
