"""Ground-truth content generation and barcode rendering.

Every renderer returns (img, kind) where img is a uint8 grayscale numpy array
(255 = paper, 0 = ink) at an integer number of pixels per module `k`, cropped
to the symbol (plus any human-readable text) with NO quiet zone; the scene code
adds the quiet zone on the label.
"""
from __future__ import annotations

import io
import string

import numpy as np
from PIL import Image

SYMBOLOGIES = ["EAN13", "EAN8", "UPCA", "Code128", "Code39", "ITF", "GS1-128",
               "DataMatrix", "GS1-DataMatrix", "QRCode", "PDF417"]
ONE_D = {"EAN13", "EAN8", "UPCA", "Code128", "Code39", "ITF", "GS1-128"}
GS = "\x1d"


# ---------------------------------------------------------------- content
def gs1_check(digits: str) -> str:
    s = 0
    for i, ch in enumerate(reversed(digits)):
        s += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - s % 10) % 10)


def _digits(rng, n):
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _gtin14(rng):
    body = str(int(rng.integers(0, 9))) + _digits(rng, 12)
    return body + gs1_check(body)


def _lot(rng):
    alph = string.ascii_uppercase + string.digits
    n = int(rng.integers(3, 11))
    s = "".join(alph[int(i)] for i in rng.integers(0, len(alph), n))
    if rng.random() < 0.3:
        s = s[:2] + "-" + s[2:]
    return s


def _expiry(rng):
    yy = int(rng.integers(24, 32)); mm = int(rng.integers(1, 13))
    dd = int(rng.integers(1, 29)) if rng.random() < 0.85 else 0
    return f"{yy:02d}{mm:02d}{dd:02d}"


def _gs1(rng):
    """Return (bracketed_text, raw_with_GS) for (01)+(10)+(17) in random order."""
    g, lot, exp = _gtin14(rng), _lot(rng), _expiry(rng)
    if rng.random() < 0.5:  # variable-length lot in the middle -> needs FNC1
        text = f"(01){g}(10){lot}(17){exp}"
        raw = f"01{g}10{lot}{GS}17{exp}"
    else:
        text = f"(01){g}(17){exp}(10){lot}"
        raw = f"01{g}17{exp}10{lot}"
    return text, raw


WORDS = ["BATCH", "ITEM", "SKU", "PART", "ORDER", "BOX", "LOT", "REF", "SN",
         "PALLET", "SHIP", "DOC", "ASSET", "BIN", "TRACK"]


def make_content(sym: str, rng) -> tuple[str, str]:
    """Return (text, raw) exactly as a decoder should return them."""
    if sym == "EAN13":
        b = str(int(rng.integers(1, 10))) + _digits(rng, 11); t = b + gs1_check(b)
    elif sym == "EAN8":
        b = _digits(rng, 7); t = b + gs1_check(b)
    elif sym == "UPCA":
        b = str(int(rng.choice([0, 0, 1, 3, 6, 7, 8]))) + _digits(rng, 10); t = b + gs1_check(b)
    elif sym == "ITF":
        t = _gtin14(rng)
    elif sym == "Code128":
        r = rng.random()
        if r < 0.35:
            t = _digits(rng, int(rng.integers(8, 21)))
        elif r < 0.7:
            t = str(rng.choice(WORDS)) + "-" + _digits(rng, int(rng.integers(4, 9)))
        else:
            alph = string.ascii_letters + string.digits + "-./:"
            t = "".join(alph[int(i)] for i in rng.integers(0, len(alph), int(rng.integers(6, 15))))
    elif sym == "Code39":
        # no $/+% : those make Full-ASCII interpretation ambiguous between decoders
        alph = string.ascii_uppercase + string.digits + "-."
        n = int(rng.integers(4, 12))
        t = "".join(alph[int(i)] for i in rng.integers(0, len(alph), n))
        if rng.random() < 0.25:
            t = t[:2] + " " + t[2:]
    elif sym in ("GS1-128", "GS1-DataMatrix"):
        return _gs1(rng)
    elif sym == "QRCode":
        r = rng.random()
        if r < 0.4:
            path = "".join(rng.choice(list(string.ascii_lowercase + string.digits), int(rng.integers(4, 12))))
            t = f"https://{rng.choice(['example.com', 'shop.example.org', 'qr.example.net'])}/p/{path}"
        elif r < 0.7:
            t = f"WIFI:S:Net{_digits(rng, 3)};T:WPA;P:{_lot(rng).lower()}{_digits(rng, 4)};;"
        else:
            t = f"{rng.choice(WORDS)} {_digits(rng, 6)} qty {int(rng.integers(1, 99))} {_lot(rng)}"
    elif sym == "DataMatrix":
        r = rng.random()
        if r < 0.5:
            t = f"{rng.choice(WORDS)}{_digits(rng, int(rng.integers(6, 16)))}"
        else:
            alph = string.ascii_letters + string.digits + " -_/:."
            t = "".join(alph[int(i)] for i in rng.integers(0, len(alph), int(rng.integers(8, 30)))).strip() or "DM1"
    elif sym == "PDF417":
        t = (f"{rng.choice(WORDS)}:{_digits(rng, 8)}|NAME:{rng.choice(['ALICE', 'BOB', 'CAROL', 'DAVE'])} "
             f"{_lot(rng)}|DATE:20{_expiry(rng)[:4]}")
        if rng.random() < 0.4:
            t = t[: int(rng.integers(12, len(t)))]
    else:
        raise ValueError(sym)
    return t, t


# ---------------------------------------------------------------- rendering
def _to_gray(im: Image.Image) -> np.ndarray:
    a = np.asarray(im.convert("L"), dtype=np.uint8)
    return a


def _crop_ink(a: np.ndarray) -> np.ndarray:
    ys, xs = np.where(a < 128)
    return a[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


_TP_CACHE: dict = {}


def _treepoem(bcid: str, data: str, k: int, opts: dict) -> np.ndarray:
    """BWIPP via ghostscript at 2 px/module, then exact nearest-neighbour upscale."""
    import treepoem
    key = (bcid, data, tuple(sorted(opts.items())))
    if key not in _TP_CACHE:
        im = treepoem.generate_barcode(bcid, data, options=opts, scale=2)
        _TP_CACHE.clear()
        _TP_CACHE[key] = _crop_ink(_to_gray(im))
    f = max(1, (k + 1) // 2)
    return np.kron(_TP_CACHE[key], np.ones((f, f), np.uint8))


def _pybarcode(name: str, data: str, k: int, rng, text: bool) -> np.ndarray:
    import barcode
    from barcode.writer import ImageWriter
    kw = {}
    if name == "code39":
        kw["add_checksum"] = False
    cls = barcode.get_barcode_class(name)
    obj = cls(data, writer=ImageWriter(), **kw)
    dpi = int(round(100 * k))           # 0.254 mm modules -> exactly k px
    opts = dict(module_width=0.254, module_height=float(rng.uniform(10, 22)) * 0.254 * 4,
                quiet_zone=2.0, dpi=dpi, write_text=text,
                font_size=int(rng.integers(8, 12)), text_distance=float(rng.uniform(3, 5)),
                background="white", foreground="black")
    im = obj.render(opts)
    return _crop_ink(_to_gray(im))


def render(sym: str, text: str, raw: str, k: int, rng) -> tuple[np.ndarray, str]:
    """Render a symbol with k px/module. Returns (gray array, renderer name)."""
    use_tp = rng.random() < 0.3
    hr = rng.random() < 0.8  # human readable text
    if sym in ("EAN13", "EAN8", "UPCA"):
        bc = {"EAN13": "ean13", "EAN8": "ean8", "UPCA": "upca"}[sym]
        if use_tp:
            h = float(rng.uniform(0.5, 1.0))
            return _treepoem(bc, text, k, {"includetext": hr, "height": f"{h:.2f}"}), "treepoem"
        data = text[:-1]
        return _pybarcode(bc, data, k, rng, hr), "python-barcode"
    if sym == "Code128":
        if use_tp:
            return _treepoem("code128", text, k, {"includetext": hr, "height": f"{rng.uniform(0.4, 0.9):.2f}"}), "treepoem"
        return _pybarcode("code128", text, k, rng, hr), "python-barcode"
    if sym == "Code39":
        if use_tp:
            return _treepoem("code39", text, k, {"includetext": hr, "height": f"{rng.uniform(0.4, 0.9):.2f}"}), "treepoem"
        return _pybarcode("code39", text, k, rng, hr), "python-barcode"
    if sym == "ITF":
        if rng.random() < 0.6:
            return _treepoem("itf14", text, k, {"includetext": hr}), "treepoem"
        return _pybarcode("itf", text, k, rng, hr), "python-barcode"
    if sym == "GS1-128":
        return _treepoem("gs1-128", text, k, {"includetext": hr, "height": f"{rng.uniform(0.5, 1.0):.2f}"}), "treepoem"
    if sym == "GS1-DataMatrix":
        return _treepoem("gs1datamatrix", text, k, {}), "treepoem"
    if sym == "DataMatrix":
        if use_tp:
            return _treepoem("datamatrix", text, k, {}), "treepoem"
        from pylibdmtx.pylibdmtx import encode
        e = encode(text.encode("latin-1"), size="ShapeAuto")
        im = Image.frombytes("RGB", (e.width, e.height), e.pixels)
        a = _crop_ink(_to_gray(im))            # libdmtx module size = 5 px
        n = round(a.shape[1] / 5), round(a.shape[0] / 5)
        a = np.asarray(Image.fromarray(a).resize((n[0], n[1]), Image.NEAREST))
        return np.kron(a, np.ones((k, k), np.uint8)), "pylibdmtx"
    if sym == "QRCode":
        import segno
        err = str(rng.choice(["l", "m", "m", "q", "h"]))
        q = segno.make_qr(text, error=err, boost_error=False)
        buf = io.BytesIO(); q.save(buf, kind="png", scale=k, border=0)
        return _to_gray(Image.open(io.BytesIO(buf.getvalue()))), f"segno-{err}"
    if sym == "PDF417":
        cols = int(rng.integers(2, 6))
        if use_tp:
            return _treepoem("pdf417", text, k, {"columns": str(cols)}), "treepoem"
        import pdf417gen
        codes = pdf417gen.encode(text, columns=cols, security_level=int(rng.integers(2, 5)))
        im = pdf417gen.render_image(codes, scale=k, ratio=3, padding=0, fg_color="#000000", bg_color="#FFFFFF")
        return _crop_ink(_to_gray(im)), "pdf417gen"
    raise ValueError(sym)
