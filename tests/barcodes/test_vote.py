"""The grey-level vote on linear reads from reworked images (a misread can pass a check digit)."""
import numpy as np

from bot.barcodes import zxing_decoder as z
from domain.scanning import DecodedCode


def _found(text: str, x: float = 0, fmt: str = "EAN13", height: float = 40) -> z._Found:
    quad = np.array([[x, 0], [x + 200, 0], [x + 200, height], [x, height]], np.float64)
    return z._Found(DecodedCode(fmt, text, text, None), 8000, quad)


def _votes(*reads: z._Found) -> dict:
    votes: dict = {}
    for r in reads:
        votes.setdefault((r.code.format, r.code.text), []).append(r)
    return votes


def test_a_value_most_levels_read_on_the_spot_replaces_a_misread():
    misread = _found("0644670364965")
    kept = z._by_vote([misread], _votes(*[_found("1647656364965")] * 4, *[_found("0644670364965")] * 2))
    assert [k.code.text for k in kept] == ["1647656364965"]


def test_a_read_the_levels_agree_with_or_never_read_stands():
    read = _found("4006381333931")
    assert z._by_vote([read], _votes(read, read)) == [read]
    assert z._by_vote([read], {}) == [read]


def test_a_rival_read_once_drops_the_read_and_replaces_nothing():
    assert z._by_vote([_found("4006381333931")], _votes(_found("4006381333948"))) == []


def test_another_symbol_beside_the_read_is_no_rival():
    read = _found("4006381333931")
    assert z._by_vote([read], _votes(*[_found("9501101530003", x=600)] * 5)) == [read]


def test_a_plain_code128_from_a_few_scan_lines_needs_the_levels():
    thin = _found("BAhC<-245983", fmt="Code128", height=2)
    assert z._by_vote([thin], {}) == []
    assert z._by_vote([_found("BATCH-245983", fmt="Code128")], {}) != []


def test_a_checked_itf14_is_outvoted_only_by_another_checked_itf14():
    itf14 = _found("22250518904846", fmt="ITF")  # mod-10 check digit fits
    pieces = [_found("250518", fmt="ITF")] * 5  # short reads of part of it under glare
    assert z._by_vote([itf14], _votes(*pieces)) == [itf14]
    rival = _found("22250518904853", fmt="ITF")  # another valid ITF-14 on the same spot
    assert [k.code.text for k in z._by_vote([itf14], _votes(*[rival] * 4))] == ["22250518904853"]
    unchecked = _found("22250518904847", fmt="ITF")  # check digit wrong: the pieces still count
    assert z._by_vote([unchecked], _votes(*pieces)) != [unchecked]
