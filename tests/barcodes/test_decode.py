"""The zxing-cpp adapter on generated photos: formats, texts, GS1, several codes, bad input."""
from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
import zxingcpp
from PIL import Image

from bot.barcodes import ZxingDecoder, decode_gray, decode_image, load_gray
from domain.errors import InvalidInput
from domain.scanning import FORMATS

from .images import jpeg, page, png, symbol

# (format to create, content given, expected format name, expected text)
CASES = [
    ("EAN13", "4006381333931", "EAN13", "4006381333931"),
    ("EAN8", "96385074", "EAN8", "96385074"),
    ("UPCA", "036000291452", "UPCA", "036000291452"),
    ("UPCE", "01234565", "UPCE", "01234565"),
    ("Code128", "PALLET-0042", "Code128", "PALLET-0042"),
    ("Code39", "BIN A12", "Code39", "BIN A12"),
    ("Code93", "LOC-7-3", "Code93", "LOC-7-3"),
    ("ITF", "15400141288763", "ITF", "15400141288763"),
    ("Codabar", "A40156B", "Codabar", "A40156B"),
    ("QRCode", "https://example.com/p/77", "QRCode", "https://example.com/p/77"),
    ("DataMatrix", "SKU-991", "DataMatrix", "SKU-991"),
    ("PDF417", "Delivery note 2026-0042", "PDF417", "Delivery note 2026-0042"),
    ("Aztec", "ticket 551", "Aztec", "ticket 551"),
]


def test_every_contract_format_is_covered():
    assert sorted(c[2] for c in CASES) == sorted(FORMATS)


@pytest.mark.parametrize("create, content, fmt, text", CASES, ids=[c[2] for c in CASES])
def test_each_symbology_decodes_with_its_name_and_text(create, content, fmt, text):
    codes = decode_image(jpeg(page(symbol(content, create))))
    assert [(c.format, c.text) for c in codes] == [(fmt, text)]


def test_ean_and_upc_carry_the_gtin_as_ai_01():
    (ean,) = decode_image(jpeg(page(symbol("4006381333931", "EAN13"))))
    assert ean.gs1 == {"01": "04006381333931"}
    (upce,) = decode_image(jpeg(page(symbol("01234565", "UPCE"))))
    assert upce.gs1 == {"01": "00012345000065"}  # UPC-E expands to UPC-A 012345000065
    (plain,) = decode_image(jpeg(page(symbol("PALLET-0042", "Code128"))))
    assert plain.gs1 is None and plain.content == "PALLET-0042"


def test_gs1_128_fills_gs1():
    img = page(symbol("(01)09506000134352(17)271231(10)LOT42", "Code128", gs1=True))
    (code,) = decode_image(jpeg(img))
    assert code.format == "Code128"
    assert code.text == "]C1010950600013435217271231" + "10LOT42"
    assert code.content == "(01)09506000134352(17)271231(10)LOT42"
    assert code.gs1 == {"01": "09506000134352", "17": "271231", "10": "LOT42"}


def test_gs1_datamatrix_fills_gs1_with_separators_between_variable_fields():
    img = page(symbol("(01)09506000134352(10)ABC1(21)SN77(3103)001250", "DataMatrix", scale=6, gs1=True))
    (code,) = decode_image(jpeg(img))
    assert code.format == "DataMatrix"
    assert code.gs1 == {"01": "09506000134352", "10": "ABC1", "21": "SN77", "3103": "001250"}
    assert code.text.startswith("]d2") and "\x1d" in code.text


def test_two_codes_in_one_photo_are_both_reported():
    img = page(symbol("4006381333931", "EAN13"), symbol("hello bin 7", "QRCode", scale=6))
    codes = decode_image(jpeg(img))
    assert sorted((c.format, c.text) for c in codes) == [("EAN13", "4006381333931"), ("QRCode", "hello bin 7")]


def test_rotated_photo_still_decodes():
    codes = decode_image(jpeg(page(symbol("4006381333931", "EAN13"), angle=33)))
    assert [c.text for c in codes] == ["4006381333931"]


def test_no_code_gives_an_empty_list():
    rng = np.random.default_rng(1)
    clutter = page()
    for _ in range(40):  # boxes and lines, like a shelf without labels
        x, y = rng.integers(0, 1200), rng.integers(0, 900)
        clutter[y:y + rng.integers(5, 80), x:x + rng.integers(5, 80)] = rng.integers(0, 255)
    assert decode_image(jpeg(clutter)) == []
    assert decode_image(png(np.full((50, 50), 255, np.uint8))) == []


@pytest.mark.parametrize("data", [b"", b"hello, this is text", b"\xff\xd8\xff\xe0 truncated jpeg", b"%PDF-1.7\n"])
def test_not_an_image_is_a_clear_error(data):
    with pytest.raises(InvalidInput) as err:
        decode_image(data)
    assert "image" in str(err.value)


def test_too_many_bytes_is_refused_with_the_limit_in_the_message():
    data = jpeg(page(symbol("4006381333931", "EAN13")))
    with pytest.raises(InvalidInput) as err:
        ZxingDecoder(max_bytes=len(data) - 1).decode(data)
    assert str(len(data) - 1) in str(err.value) and "bytes" in str(err.value)


def test_too_many_pixels_is_refused_before_decoding():
    buf = io.BytesIO()
    Image.new("L", (4000, 3000), 255).save(buf, "PNG")  # small file, 12 Mpx
    with pytest.raises(InvalidInput) as err:
        ZxingDecoder(max_pixels=10_000_000).decode(buf.getvalue())
    assert "10000000 pixels" in str(err.value)


def test_transparent_png_is_read_on_white():
    sym = symbol("4006381333931", "EAN13")
    rgba = np.zeros(sym.shape + (4,), np.uint8)
    rgba[..., 3] = 255 - sym  # black bars opaque, the rest transparent
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    assert [c.text for c in decode_image(buf.getvalue())] == ["4006381333931"]


def test_light_on_dark_code_decodes():
    img = 255 - page(symbol("hello bin 7", "QRCode", scale=6))
    assert [(c.format, c.text) for c in decode_image(jpeg(img))] == [("QRCode", "hello bin 7")]


def test_small_turned_code_is_found_by_the_fallback():
    small = symbol("PAL-0042", "Code128", scale=2)
    big = page(small, angle=37)
    assert [c.text for c in decode_image(jpeg(big))] == ["PAL-0042"]


# ---- several codes in one photo, and the fallback's special steps ------------------------

def _stacked_gs1_label(angle: float) -> np.ndarray:
    """A logistics label: the item (GTIN, expiry, lot) above the pallet's SSCC, two GS1-128
    symbols close together, the whole label turned by `angle` degrees."""
    item = symbol("(01)09506000134352(17)271231(10)LOT42", "Code128", scale=2, gs1=True)
    sscc = symbol("(00)106141411234567897", "Code128", scale=2, gs1=True)
    canvas = np.full((960, 1280), 225, np.uint8)
    for top, sym in ((250, item), (400, sscc)):
        canvas[top:top + 120, 200:200 + sym.shape[1]] = cv2.resize(sym, (sym.shape[1], 120), interpolation=cv2.INTER_NEAREST)
    turn = cv2.getRotationMatrix2D((640, 480), angle, 1.0)
    return cv2.warpAffine(canvas, turn, (1280, 960), borderValue=225)


@pytest.mark.parametrize("angle", [0, 20, 70])
def test_every_symbol_of_a_gs1_label_is_reported_at_any_slant(angle):
    # At 20 degrees the two symbols' upright boxes overlap; at 70 zxing's first pass reads only one.
    codes = decode_image(jpeg(_stacked_gs1_label(angle)))
    assert sorted(c.content for c in codes) == ["(00)106141411234567897", "(01)09506000134352(17)271231(10)LOT42"]


def test_a_second_code_at_another_angle_is_found_beside_an_upright_one():
    canvas = np.full((960, 1280), 225, np.uint8)
    ean = symbol("4006381333931", "EAN13", scale=3)
    canvas[100:100 + ean.shape[0], 80:80 + ean.shape[1]] = ean
    pallet = np.full((600, 600), 225, np.uint8)
    code = symbol("PAL-0042-XY", "Code128", scale=3)
    top, left = 300 - code.shape[0] // 2, 300 - code.shape[1] // 2
    pallet[top:top + code.shape[0], left:left + code.shape[1]] = code
    canvas[330:930, 600:1200] = cv2.warpAffine(pallet, cv2.getRotationMatrix2D((300, 300), 55, 1.0), (600, 600), borderValue=225)
    codes = decode_image(jpeg(canvas))
    assert sorted(c.text for c in codes) == ["4006381333931", "PAL-0042-XY"]


def test_a_blurred_long_linear_code_is_read_from_deconvolved_profiles():
    sym = symbol("SHIP-4711-0042-ABCDEFGH", "Code128", scale=2)  # 2 px modules
    img = cv2.GaussianBlur(page(cv2.resize(sym, (sym.shape[1], 140), interpolation=cv2.INTER_NEAREST), angle=12), (0, 0), 2.0)
    trace = []
    codes = decode_gray(load_gray(jpeg(img)), trace=trace, parallel=False)
    assert [c.text for c in codes] == ["SHIP-4711-0042-ABCDEFGH"]
    assert trace == ["_read_profiles"]  # nothing before it could read it


@pytest.mark.parametrize("half_arc", [40, 55, 65])
def test_a_pdf417_round_a_can_is_flattened(half_arc):
    sym = symbol("Delivery note 2026-0042 for Shop 7", "PDF417", scale=3)
    h, w = sym.shape
    radius = (w / 2) / math.radians(half_arc)  # the symbol covers +-half_arc degrees of the can
    seen = np.arange(int(2 * radius * math.sin(math.radians(half_arc))), dtype=np.float64)
    source = (radius * np.arcsin(np.clip((seen - len(seen) / 2) / radius, -1, 1)) + w / 2).astype(np.float32)
    wrapped = cv2.remap(sym, np.tile(source, (h, 1)), np.tile(np.arange(h, dtype=np.float32)[:, None], (1, len(seen))),
                        cv2.INTER_LINEAR, borderValue=255)
    trace = []
    codes = decode_gray(load_gray(jpeg(page(wrapped))), trace=trace, parallel=False)
    assert [(c.format, c.text) for c in codes] == [("PDF417", "Delivery note 2026-0042 for Shop 7")]
    assert trace == ["_read_flattened"]


def test_a_read_of_part_of_a_code_without_check_character_is_recognised():
    from bot.barcodes.zxing_decoder import _covers_bars

    img = page(symbol("15400141288763", "ITF", scale=3), angle=20)
    full = [b for b in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.ITF) if b.text == "15400141288763"][0]
    p = full.position
    quad = np.array([(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                     (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)], np.float64)
    assert _covers_bars(img, quad)
    right_part = quad.copy()  # the same lines, starting a quarter of the way in: more bars lie before it
    right_part[[0, 3]] = quad[[0, 3]] + 0.25 * (quad[[1, 2]] - quad[[0, 3]])
    assert not _covers_bars(img, right_part)


@pytest.mark.parametrize("shape", [(1, 300), (300, 1), (20, 20)])
def test_a_sliver_of_an_image_reads_nothing_and_raises_nothing(shape):
    assert decode_gray(np.full(shape, 200, np.uint8), parallel=False) == []


def test_the_glare_stretch_gives_bars_back_under_a_reflection():
    from bot.barcodes.glare import local_range

    bars = np.tile(np.repeat(np.array([40, 200] * 20, np.uint8), 6), (120, 1))
    lifted = np.clip(bars.astype(np.int16) // 3 + 150, 0, 255).astype(np.uint8)  # washed out: 163 vs 216
    stretched = local_range(lifted)
    assert int(stretched[60, 3]) < 60 and int(stretched[60, 9]) > 200
