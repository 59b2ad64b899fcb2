"""Pure GS1 helpers and what a handheld scanner types into the chat."""
from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.scanning import (
    compress_upca, expand_upce, gs1_check_digit, has_valid_check_digit, gtin14, gtin_forms, one_label, parse_gs1, parse_gs1_hri,
    parse_scanned_text,
)


def test_check_digits_and_gtin_forms():
    assert gs1_check_digit("400638133393") == 1
    assert gtin14("4006381333931") == "04006381333931"
    assert gtin14("4006381333932") is None  # bad check digit: not a GTIN
    assert gtin14("036000291452") == "00036000291452"
    assert gtin14("96385074") == "00000096385074"
    assert expand_upce("01234565") == "012345000065"
    assert gtin_forms("00036000291452") == ["00036000291452", "0036000291452", "036000291452"]
    assert gtin_forms("00000096385074")[-1] == "96385074"


def test_gs1_element_string_with_all_the_usual_ais():
    gs = "\x1d"
    data = ("00106141411234567897" "0109506000134352" "11260101" "15270630" "10LOT-7" + gs + "21SER9" + gs
            + "3102000250" "37" "12" + gs + "4140614141000005" "30" "24")
    gs1 = parse_gs1(data)
    assert gs1 == {"00": "106141411234567897", "01": "09506000134352", "11": "260101", "15": "270630",
                   "10": "LOT-7", "21": "SER9", "3102": "000250", "37": "12", "414": "0614141000005", "30": "24"}


@pytest.mark.parametrize("bad", [
    "0109506000134353",  # GTIN check digit
    "00106141411234567891",  # SSCC check digit
    "4140614141000006",  # GLN check digit
    "1727133",  # truncated date
    "17271332",  # month 13
])
def test_gs1_rejects_bad_data(bad):
    with pytest.raises(InvalidInput):
        parse_gs1(bad)


def test_parenthesised_form():
    assert parse_gs1_hri("(01)09506000134352(17)271231(10)A-1") == {"01": "09506000134352", "17": "271231", "10": "A-1"}
    with pytest.raises(InvalidInput):
        parse_gs1_hri("(01)09506000134353")


@pytest.mark.parametrize("typed, fmt, text, gs1", [
    ("4006381333931\n", "EAN13", "4006381333931", {"01": "04006381333931"}),
    ("0036000291452", "UPCA", "036000291452", {"01": "00036000291452"}),
    ("036000291452", "UPCA", "036000291452", {"01": "00036000291452"}),
    ("96385074", "EAN8", "96385074", {"01": "00000096385074"}),
    ("06543217", "UPCE", "06543217", {"01": "00065100004327"}),  # fails as EAN-8: UPC-E
    ("15400141288763", "ITF", "15400141288763", {"01": "15400141288763"}),
    ("106141411234567897", "Code128", "]C100106141411234567897", {"00": "106141411234567897"}),
    ("]C10109506000134352\x1d10LOT42", "Code128", "]C1010950600013435210LOT42".replace("10LOT", "\x1d10LOT"),
     {"01": "09506000134352", "10": "LOT42"}),
    ("\x1d010950600013435210LOT42<GS>17271231", "Code128", "]C1010950600013435210LOT42\x1d17271231",
     {"01": "09506000134352", "10": "LOT42", "17": "271231"}),
    ("]d2010950600013435221SN1", "DataMatrix", "]d2010950600013435221SN1", {"01": "09506000134352", "21": "SN1"}),
    ("(01)09506000134352(10)LOT42", "Code128", "]C1010950600013435210LOT42", {"01": "09506000134352", "10": "LOT42"}),
    ("SKU-0042", "Code128", "SKU-0042", None),
    ("4006381333932", "Code128", "4006381333932", None),  # bad check digit: just text, no GTIN
    ("]A0BIN A12", "Code39", "BIN A12", None),
])
def test_typed_scanner_input(typed, fmt, text, gs1):
    code = parse_scanned_text(typed)
    assert (code.format, code.text, code.gs1) == (fmt, text, gs1)


def test_typed_gs1_with_wrong_check_digit_or_nothing_is_an_error():
    with pytest.raises(InvalidInput):
        parse_scanned_text("(01)09506000134353")
    with pytest.raises(InvalidInput):
        parse_scanned_text("  \n")


@pytest.mark.parametrize("upce", ["01234565", "06543217", "04252614", "01111149", "10123454"])
def test_upce_round_trip(upce):
    upca = expand_upce(upce)
    assert has_valid_check_digit(upca)
    assert compress_upca(upca) == upce
    assert compress_upca("012345678905") is None  # no zeros to suppress


def test_symbols_of_one_gs1_label_go_together():
    item = parse_scanned_text("(01)09506000134352(17)271231(10)LOT42")
    sscc = parse_scanned_text("(00)106141411234567897")
    ean = parse_scanned_text("9506000134352")  # the same GTIN as EAN-13
    assert one_label([item, sscc, ean]) == {"01": "09506000134352", "17": "271231", "10": "LOT42", "00": "106141411234567897"}
    other_lot = parse_scanned_text("(01)09506000134352(10)LOT43")
    assert one_label([item, other_lot]) is None  # two lots: which one is for the person to say
    assert one_label([item, parse_scanned_text("4006381333931")]) is None  # two different items
    assert one_label([item, parse_scanned_text("BIN-A-01")]) is None  # not GS1 data
