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
