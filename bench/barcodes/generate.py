"""Synthetic phone photos of barcode labels, reproducible from a seed.

Each photo is a label (symbol from zxing-cpp's writer, quiet zone, a line of
print) put on a background and spoilt by one condition, or by three at once
for the hard tier, then JPEG-encoded at ~1280 px as Telegram sends it.
Negatives are the same scenes with no symbol at all.

Tune on one seed, report on another: the decoder must not learn the set.
"""
from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from domain.scanning import compress_upca, expand_upce, gs1_check_digit

SYMBOLOGIES = ["EAN13", "UPCA", "EAN8", "UPCE", "Code128", "GS1-128", "Code39", "Code93", "ITF", "Codabar",
               "QRCode", "DataMatrix", "GS1-DataMatrix", "PDF417", "Aztec"]
SINGLE = ["clean", "rotation", "perspective", "blur", "noise", "glare", "small", "clutter", "jpeg", "curved"]
HARD = "hard"  # three conditions at once
NEGATIVE = "negative"
CONDITIONS = SINGLE + [HARD, NEGATIVE]
NEGATIVES_PER_CONDITION = 3  # negatives per photo of each other condition
# Added later, from their own random stream, so the photos above stay exactly as they were:
#   lowres  a small or downscaled photo (640 px) of a blurred label: bars ~1-2 px, soft
#   dense   a long linear code (Code 128, GS1-128, ITF-14) with thin bars, at a slant
#   multi   several codes in one photo: a GS1 logistics label (2-3 symbols), or two labels
EXTRA = ["lowres", "dense", "multi"]
DENSE = ["Code128", "GS1-128", "ITF"]


@dataclass
class Sample:
    name: str
    condition: str
    symbology: str | None  # None for negatives
    fmt: str | None  # expected contract format name
    text: str | None  # expected text (GS1: the parenthesised content)
    jpeg: bytes
    applied: list[str] = field(default_factory=list)
    codes: list[tuple[str, str]] = field(default_factory=list)  # every (format, text) in the photo


# ---- payloads ----------------------------------------------------------------------

def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _with_check(body: str) -> str:
    return body + str(gs1_check_digit(body))


def _word(rng: random.Random, alphabet: str, lo: int, hi: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def payload(rng: random.Random, symbology: str) -> tuple[str, str, dict, str, str]:
    """-> (content to write, zxing format, writer options, expected format, expected text-or-content)."""
    up = string.ascii_uppercase + string.digits
    if symbology == "EAN13":
        code = _with_check(str(rng.randint(1, 9)) + _digits(rng, 11))
        return code, "EAN13", {}, "EAN13", code
    if symbology == "UPCA":
        code = _with_check(_digits(rng, 11))
        return code, "UPCA", {}, "UPCA", code
    if symbology == "EAN8":
        code = _with_check(_digits(rng, 7))
        return code, "EAN8", {}, "EAN8", code
    if symbology == "UPCE":
        while True:  # only numbers that the zero-suppression rules really produce
            data = "0" + _digits(rng, 6)
            code = data + str(gs1_check_digit(expand_upce(data + "0")[:-1]))
            if compress_upca(expand_upce(code)) == code:
                return code, "UPCE", {}, "UPCE", code
    if symbology == "Code128":
        code = rng.choice(["PAL-", "BIN-", "SO-", "RMA"]) + _word(rng, up, 5, 10)
        return code, "Code128", {}, "Code128", code
    if symbology == "GS1-128":
        if rng.random() < 0.3:
            hri = "(00)" + _with_check(_digits(rng, 17))
        else:
            hri = "(01)" + _with_check(_digits(rng, 13)) + f"(17){rng.randint(25, 32):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
                  + "(10)" + _word(rng, up, 3, 8)
        return hri, "Code128", {"gs1": True}, "Code128", hri
    if symbology == "Code39":
        code = _word(rng, string.ascii_uppercase + string.digits + "-", 5, 10)
        return code, "Code39", {}, "Code39", code
    if symbology == "Code93":
        code = _word(rng, up, 5, 10)
        return code, "Code93", {}, "Code93", code
    if symbology == "ITF":
        code = _with_check(str(rng.randint(1, 8)) + _digits(rng, 12))
        return code, "ITF", {}, "ITF", code
    if symbology == "Codabar":
        code = rng.choice("ABCD") + _digits(rng, rng.randint(6, 12)) + rng.choice("ABCD")
        return code, "Codabar", {}, "Codabar", code
    if symbology == "QRCode":
        code = rng.choice(["https://shop.example/p/", "ORDER:", "LOC:"]) + _word(rng, up, 4, 24)
        return code, "QRCode", {}, "QRCode", code
    if symbology == "DataMatrix":
        code = _word(rng, up + "-", 6, 30)
        return code, "DataMatrix", {}, "DataMatrix", code
    if symbology == "GS1-DataMatrix":
        hri = "(01)" + _with_check(_digits(rng, 13)) + f"(17){rng.randint(25, 32):02d}{rng.randint(1, 12):02d}15" \
              + "(10)" + _word(rng, up, 3, 10) + "(21)" + _word(rng, string.digits, 6, 12)
        return hri, "DataMatrix", {"gs1": True}, "DataMatrix", hri
    if symbology == "PDF417":
        code = "DN " + _word(rng, up + " ", 15, 45)
        return code, "PDF417", {}, "PDF417", code
    if symbology == "Aztec":
        code = "TKT" + _word(rng, up, 6, 30)
        return code, "Aztec", {}, "Aztec", code
    raise ValueError(symbology)


# ---- scene pieces ------------------------------------------------------------------

MATRIX = ("QRCode", "DataMatrix", "Aztec")


def _label(rng: random.Random, content: str, fmt: str, options: dict, module_px: float, max_width: int) -> np.ndarray:
    """White label: the symbol at `module_px` pixels per module (less if it would not fit
    `max_width`: the photographer steps back), quiet zone, and a line of print above and below."""
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, fmt), **options)
    sym = np.asarray(barcode.to_image(scale=1, add_quiet_zones=True))
    matrix = fmt in MATRIX
    scale = min(module_px, max_width / sym.shape[1])
    width_px = int(sym.shape[1] * scale)
    height = sym.shape[0] * scale
    if not matrix and fmt != "PDF417":
        height = max(height, width_px * rng.uniform(0.25, 0.45))  # 1D bars are taller than one module
    # Sharp modules at a fine integer scale, then area-averaged down, as a camera pixel integrates
    # light (a plain nearest-neighbour resize would make modules 1 or 2 pixels wide at random).
    fine = int(math.ceil(scale * 4))
    sym = cv2.resize(sym, None, fx=fine, fy=fine, interpolation=cv2.INTER_NEAREST)
    sym = cv2.resize(sym, (max(1, int(round(width_px))), max(1, int(height))), interpolation=cv2.INTER_AREA)
    pad_x, pad_top, pad_bottom = int(0.06 * width_px) + 4, int(0.12 * width_px) + 6, int(0.16 * width_px) + 6
    label = np.full((sym.shape[0] + pad_top + pad_bottom, sym.shape[1] + 2 * pad_x), 250, np.uint8)
    label[pad_top:pad_top + sym.shape[0], pad_x:pad_x + sym.shape[1]] = sym
    font_scale = max(0.3, width_px / 700)
    cv2.putText(label, _word(rng, string.ascii_uppercase + " ", 8, 18), (pad_x, max(12, int(pad_top * 0.7))),
                cv2.FONT_HERSHEY_SIMPLEX, font_scale, 40, max(1, int(font_scale * 2)), cv2.LINE_AA)
    cv2.putText(label, _word(rng, string.digits + " ", 6, 14), (pad_x, label.shape[0] - int(pad_bottom * 0.3)),
                cv2.FONT_HERSHEY_SIMPLEX, font_scale, 40, max(1, int(font_scale * 2)), cv2.LINE_AA)
    return cv2.cvtColor(label, cv2.COLOR_GRAY2BGR)


def _background(rng: random.Random, h: int, w: int, busy: bool) -> np.ndarray:
    nprng = np.random.default_rng(rng.randrange(2 ** 32))
    base = np.array([rng.randint(60, 200) for _ in range(3)], np.float32)
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    xx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    grad = 1 + 0.25 * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))
    # texture made small and enlarged: cheap, and paper/cardboard grain is soft anyway
    small = nprng.normal(0, 18, (h // 4, w // 4)).astype(np.float32)
    texture = cv2.resize(cv2.GaussianBlur(small, (0, 0), rng.uniform(0.3, 1.0)), (w, h), interpolation=cv2.INTER_LINEAR)
    img = cv2.merge([grad * b + texture for b in base])
    img = np.clip(img, 0, 255).astype(np.uint8)
    if busy:
        for _ in range(rng.randint(15, 35)):
            kind = rng.random()
            colour = tuple(int(c) for c in nprng.integers(0, 255, 3))
            x, y = rng.randrange(w), rng.randrange(h)
            if kind < 0.35:
                cv2.rectangle(img, (x, y), (x + rng.randint(20, 300), y + rng.randint(20, 200)), colour, -1)
            elif kind < 0.6:
                cv2.putText(img, _word(rng, string.ascii_letters + string.digits + " ", 5, 25), (x, y),
                            rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX]), rng.uniform(0.5, 2.0),
                            colour, rng.randint(1, 4), cv2.LINE_AA)
            elif kind < 0.8:
                # stripes: a shelf edge, a grille, a corrugated box - barcode-like on purpose
                step, thick = rng.randint(4, 20), rng.randint(1, 8)
                length = rng.randint(40, 250)
                for i in range(rng.randint(4, 15)):
                    cv2.line(img, (x + i * step, y), (x + i * step, y + length), colour, thick)
            else:
                cv2.circle(img, (x, y), rng.randint(10, 120), colour, rng.choice([-1, 2, 5]))
    return img


def _place(scene: np.ndarray, label: np.ndarray, rng: random.Random, angle: float, persp: float) -> tuple[float, float, float]:
    """Pastes the label onto the scene, turned by `angle` deg, corners jittered by `persp` x label size.
    Returns the label's centre and size in the scene."""
    h, w = scene.shape[:2]
    lh, lw = label.shape[:2]
    src = np.float32([[0, 0], [lw, 0], [lw, lh], [0, lh]])
    centred = src - [lw / 2, lh / 2]
    size = max(lw, lh)
    jitter = np.float32([[rng.uniform(-persp, persp) * size, rng.uniform(-persp, persp) * size] for _ in range(4)])
    a = math.radians(angle)
    rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = (centred + jitter) @ rot.T
    span = dst.max(axis=0) - dst.min(axis=0)
    fit = min(1.0, 0.95 * w / span[0], 0.95 * h / span[1])
    dst *= fit
    cx = rng.uniform(-dst[:, 0].min(), w - dst[:, 0].max()) if w - dst[:, 0].max() > -dst[:, 0].min() else w / 2
    cy = rng.uniform(-dst[:, 1].min(), h - dst[:, 1].max()) if h - dst[:, 1].max() > -dst[:, 1].min() else h / 2
    dst += [cx, cy]
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(label, m, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((lh, lw), 255, np.uint8), m, (w, h), flags=cv2.INTER_LINEAR)
    alpha = cv2.merge([mask.astype(np.float32) / 255] * 3)
    blended = scene.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    scene[:] = blended.astype(np.uint8)
    return float(dst[:, 0].mean()), float(dst[:, 1].mean()), float(span.max() * fit)


def _curve(label: np.ndarray, rng: random.Random, strength: float) -> np.ndarray:
    """Label wrapped round a can: x compressed towards the edges, shading at the sides."""
    h, w = label.shape[:2]
    arc = math.radians(40 + 80 * strength)  # arc of the cylinder the label covers
    out_w = int(w * math.sin(arc / 2) / (arc / 2))
    xs = np.arange(out_w, dtype=np.float32)
    u = (xs - out_w / 2) / (out_w / 2)  # -1..1 across the visible width
    theta = np.arcsin(np.clip(u * math.sin(arc / 2), -1, 1))
    src_x = (theta / (arc / 2) * 0.5 + 0.5) * (w - 1)
    bulge = (np.cos(theta) - math.cos(arc / 2)) * h * 0.06 * strength
    map_x = np.tile(src_x, (h, 1)).astype(np.float32)
    map_y = (np.arange(h, dtype=np.float32)[:, None] - bulge[None, :] * (np.arange(h)[:, None] / h - 0.5) * 2)
    curved = cv2.remap(label, map_x, map_y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = (0.6 + 0.4 * np.cos(theta))[None, :, None]
    return np.clip(curved * shade, 0, 255).astype(np.uint8)


def _glare(img: np.ndarray, rng: random.Random, strength: float, where: tuple[float, float, float]) -> np.ndarray:
    """A bright specular spot on or near the label (where = centre x, y, size), the rest dimmer."""
    h, w = img.shape[:2]
    yy = np.arange(h, dtype=np.float32)[:, None]
    xx = np.arange(w, dtype=np.float32)[None, :]
    lx, ly, size = where
    cx, cy = lx + rng.uniform(-0.4, 0.4) * size, ly + rng.uniform(-0.4, 0.4) * size
    sx, sy = rng.uniform(0.08, 0.25) * size, rng.uniform(0.08, 0.25) * size
    blob = np.exp(-((xx - cx) / sx) ** 2 / 2) * np.exp(-((yy - cy) / sy) ** 2 / 2)
    dim = rng.uniform(0.55, 0.85)  # the rest of the photo under dull light
    out = img.astype(np.float32) * dim + cv2.merge([strength * 255 * blob] * 3)
    return np.clip(out, 0, 255).astype(np.uint8)


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    m = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, m, (length, length))
    return k / max(k.sum(), 1e-6)


# ---- photos ------------------------------------------------------------------------

def render(rng: random.Random, condition: str, symbology: str | None) -> tuple[bytes, list[str], tuple | None]:
    """One photo. Returns (jpeg bytes, conditions applied, (format, text) expected or None)."""
    portrait = rng.random() < 0.5
    h, w = (1280, 960) if portrait else (960, 1280)
    if condition == HARD:
        applied = rng.sample(["rotation", "perspective", "blur", "noise", "glare", "small", "jpeg", "curved", "clutter"], 3)
        mild = 0.7  # each spoiler a bit milder than alone: three of them at once
    elif condition == NEGATIVE:
        applied = [rng.choice(["clean", "clutter", "clutter", "glare", "blur"])]
        mild = 1.0
    else:
        applied, mild = [condition], 1.0
    scene = _background(rng, h, w, busy="clutter" in applied or (condition == NEGATIVE and rng.random() < 0.7))
    expected = None
    label_w = int(min(h, w) * rng.uniform(0.3, 0.6))
    if symbology is not None:
        content, fmt, options, exp_fmt, exp_text = payload(rng, symbology)
        if "small" in applied:  # a code far away or tiny on the box
            module = (rng.uniform(2.5, 3.5) if fmt in MATRIX else rng.uniform(1.5, 2.2)) / (0.6 + 0.4 * mild)
        else:
            module = rng.uniform(5, 12) if fmt in MATRIX else rng.uniform(2.2, 4.5)
        if "clutter" in applied:
            module *= 0.8
        label = _label(rng, content, fmt, options, module, int(0.85 * min(h, w)))
        expected = (exp_fmt, exp_text)
    else:
        # a label with print but no symbol: the most tempting negative
        label = np.full((int(label_w * 0.6), label_w, 3), 248, np.uint8)
        for row in range(1, 5):
            cv2.putText(label, _word(rng, string.ascii_uppercase + string.digits + " ", 6, 16),
                        (8, int(row * label.shape[0] / 5)), cv2.FONT_HERSHEY_SIMPLEX, max(0.3, label_w / 600), (30, 30, 30),
                        max(1, label_w // 300), cv2.LINE_AA)
    if "curved" in applied:
        label = _curve(label, rng, rng.uniform(0.5, 1.0) * mild)
    angle = rng.uniform(0, 360) if "rotation" in applied else rng.uniform(-4, 4)
    persp = rng.uniform(0.08, 0.2) * mild if "perspective" in applied else rng.uniform(0, 0.02)
    where = _place(scene, label, rng, angle, persp)
    if "glare" in applied:
        scene = _glare(scene, rng, rng.uniform(0.5, 0.9) * mild, where)
    if "blur" in applied:
        if rng.random() < 0.5:
            scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(1.2, 2.4) * mild)
        else:
            scene = cv2.filter2D(scene, -1, _motion_kernel(max(3, int(rng.uniform(5, 11) * mild)), rng.uniform(0, 180)))
    else:
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.4, 0.8))  # no lens is perfect
    sigma = rng.uniform(10, 24) * mild if "noise" in applied else rng.uniform(1, 4)
    if "noise" in applied:
        scene = (scene * rng.uniform(0.45, 0.75)).astype(np.uint8)  # noise comes with low light
    noise = np.empty(scene.shape, np.float32)
    cv2.setRNGSeed(rng.randrange(2 ** 31))
    cv2.randn(noise, 0.0, sigma)
    scene = np.clip(scene.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    quality = rng.randint(int(12 / mild), 25) if "jpeg" in applied else rng.randint(75, 90)
    ok, buf = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes(), applied, expected


def photo_set(seed: int, per_condition: int, extra: bool = False) -> list[Sample]:
    """`per_condition` photos for each condition (three times as many negatives);
    symbologies taken in turn so each appears everywhere. With `extra`, also the
    EXTRA conditions (appended; the others do not change)."""
    rng = random.Random(seed)
    samples = []
    for condition in CONDITIONS:
        # more negatives: a false code is worse than a missed one (the wrong product gets booked)
        for i in range(per_condition * (NEGATIVES_PER_CONDITION if condition == NEGATIVE else 1)):
            symbology = None if condition == NEGATIVE else SYMBOLOGIES[(i + seed) % len(SYMBOLOGIES)]
            data, applied, expected = render(rng, condition, symbology)
            fmt, text = expected if expected else (None, None)
            samples.append(Sample(f"{condition}-{i:03d}", condition, symbology, fmt, text, data, applied,
                                  [expected] if expected else []))
    if extra:
        samples += extra_set(seed, per_condition)
    return samples


# ---- the extra conditions ------------------------------------------------------------

def _dense_payload(rng: random.Random, symbology: str) -> tuple[str, str, dict, str, str]:
    up = string.ascii_uppercase + string.digits
    if symbology == "Code128":
        code = rng.choice(["PAL-", "SHIP-", "CONS-"]) + _word(rng, up + "-", 16, 26)
        return code, "Code128", {}, "Code128", code
    if symbology == "GS1-128":
        hri = ("(01)" + _with_check(_digits(rng, 13)) + f"(17){rng.randint(25, 32):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
               + "(10)" + _word(rng, up, 6, 10) + "(21)" + _word(rng, string.digits, 6, 10))
        return hri, "Code128", {"gs1": True}, "Code128", hri
    return payload(rng, symbology)  # ITF-14: always 14 digits; dense by its module size


def _symbol(content: str, fmt: str, options: dict, module_px: float, min_height: float = 0) -> np.ndarray:
    """A symbol alone (with its quiet zone) at `module_px`, area-sampled as in _label."""
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, fmt), **options)
    sym = np.asarray(barcode.to_image(scale=1, add_quiet_zones=True))
    width, height = int(round(sym.shape[1] * module_px)), max(min_height, sym.shape[0] * module_px)
    fine = int(math.ceil(module_px * 4))
    sym = cv2.resize(sym, None, fx=fine, fy=fine, interpolation=cv2.INTER_NEAREST)
    return cv2.resize(sym, (max(1, width), max(1, int(height))), interpolation=cv2.INTER_AREA)


def _logistics_label(rng: random.Random, module: float) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """A GS1 logistics label: the item (GTIN, expiry, lot) and the pallet (SSCC) as two
    GS1-128 symbols one above the other, sometimes with a GS1 DataMatrix of the same data."""
    up = string.ascii_uppercase + string.digits
    gtin = _with_check(str(rng.randint(1, 9)) + _digits(rng, 12))
    item = f"(01){gtin}(17){rng.randint(25, 32):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}(10){_word(rng, up, 3, 8)}"
    sscc = "(00)" + _with_check(_digits(rng, 17))
    parts = [(item, "Code128", {"gs1": True}), (sscc, "Code128", {"gs1": True})]
    if rng.random() < 0.5:
        parts.append((f"(01){gtin}(21){_word(rng, string.digits, 6, 10)}", "DataMatrix", {"gs1": True}))
    symbols, codes = [], []
    for content, fmt, options in parts:
        scale = module * (2.5 if fmt in MATRIX else 1.0)
        symbols.append(_symbol(content, fmt, options, scale, 0 if fmt in MATRIX else 60 * module))
        codes.append((fmt, content))
    width = max(s.shape[1] for s in symbols) + 40
    gap = int(18 * module)
    height = sum(s.shape[0] for s in symbols) + gap * (len(symbols) + 1)
    label = np.full((height, width), 250, np.uint8)
    y = gap
    for sym in symbols:
        x = (width - sym.shape[1]) // 2
        label[y:y + sym.shape[0], x:x + sym.shape[1]] = sym
        y += sym.shape[0] + gap
    return cv2.cvtColor(label, cv2.COLOR_GRAY2BGR), codes


def _two_labels(rng: random.Random, scene: np.ndarray) -> list[tuple[str, str]]:
    """A product code and a 2D code on separate labels, side by side, each at its own angle."""
    h, w = scene.shape[:2]
    first = rng.choice(["EAN13", "UPCA", "Code128"])
    second = rng.choice(["QRCode", "DataMatrix", "Aztec"])
    codes = []
    halves = [scene[:, :w // 2], scene[:, w // 2:]] if w > h else [scene[:h // 2], scene[h // 2:]]
    rng.shuffle(halves)
    for symbology, half in zip((first, second), halves):
        content, fmt, options, exp_fmt, exp_text = payload(rng, symbology)
        module = rng.uniform(5, 9) if fmt in MATRIX else rng.uniform(2.2, 3.5)
        label = _label(rng, content, fmt, options, module, int(0.8 * min(half.shape[:2])))
        _place(half, label, rng, rng.uniform(0, 360) if symbology == second else rng.uniform(-10, 10), rng.uniform(0, 0.05))
        codes.append((exp_fmt, exp_text))
    return codes


def render_extra(rng: random.Random, condition: str, symbology: str) -> tuple[bytes, list[str], list[tuple[str, str]]]:
    portrait = rng.random() < 0.5
    h, w = (1280, 960) if portrait else (960, 1280)
    scene = _background(rng, h, w, busy=rng.random() < 0.3)
    quality = rng.randint(75, 90)
    if condition == "multi":
        if rng.random() < 0.5:
            label, codes = _logistics_label(rng, rng.uniform(2.0, 3.0))
            _place(scene, label, rng, rng.choice([rng.uniform(-8, 8), rng.uniform(0, 360)]), rng.uniform(0, 0.06))
        else:
            codes = _two_labels(rng, scene)
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.4, 0.8))
    elif condition == "dense":
        content, fmt, options, exp_fmt, exp_text = _dense_payload(rng, symbology)
        label = _label(rng, content, fmt, options, rng.uniform(1.6, 2.4), int(0.9 * max(h, w)))
        sign = rng.choice([-1, 1])
        _place(scene, label, rng, sign * rng.uniform(10, 80) + rng.choice([0, 180]), rng.uniform(0, 0.04))
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.5, 1.0))
        codes = [(exp_fmt, exp_text)]
    else:  # lowres
        content, fmt, options, exp_fmt, exp_text = payload(rng, symbology)
        module = rng.uniform(6, 12) if fmt in MATRIX else rng.uniform(2.6, 4.5)
        label = _label(rng, content, fmt, options, module, int(0.85 * min(h, w)))
        _place(scene, label, rng, rng.uniform(-15, 15), rng.uniform(0, 0.05))
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(1.4, 2.4))
        scene = cv2.resize(scene, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        quality = rng.randint(60, 85)
        codes = [(exp_fmt, exp_text)]
    noise = np.empty(scene.shape, np.float32)
    cv2.setRNGSeed(rng.randrange(2 ** 31))
    cv2.randn(noise, 0.0, rng.uniform(1, 4))
    scene = np.clip(scene.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes(), [condition], codes


def extra_set(seed: int, per_condition: int) -> list[Sample]:
    rng = random.Random(f"extra-{seed}")  # its own stream: the original conditions stay as they were
    samples = []
    for condition in EXTRA:
        for i in range(per_condition):
            pool = DENSE if condition == "dense" else SYMBOLOGIES
            symbology = None if condition == "multi" else pool[(i + seed) % len(pool)]
            data, applied, codes = render_extra(rng, condition, symbology)
            samples.append(Sample(f"{condition}-{i:03d}", condition, symbology or "several", codes[0][0], codes[0][1],
                                  data, applied, codes))
    return samples
