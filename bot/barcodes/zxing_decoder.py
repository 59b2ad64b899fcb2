"""zxing-cpp behind the domain's BarcodeDecoder port, with a fallback for hard photos.

A phone photo of a label is usually easy: zxing-cpp reads it straight away.
Only when that finds nothing do we work harder, cheapest first, and stop at
the first step that reads something:

1. the whole image upright only (~12 ms at 1280 px), then with zxing's own
   90-degree turns and downscaling pyramid;
2. candidate regions: where the structure tensor shows strong gradients
   (bars, 2D modules), cut out, turned so the bars stand upright (any angle),
   enlarged when small; as is, with a fixed threshold, contrast-normalised
   (CLAHE), sharpened;
3. the whole image with CLAHE (glare, shadow), also light-on-dark codes;
4. the whole image turned by 22.5-degree steps, sharpened (unsharp mask),
   and with zxing's global-histogram binariser.

Results are validated again (EAN/UPC check digits, GS1 structure); EAN-8 and
UPC-E, whose single check digit is weak, must be read again from a close-up
of the same spot, and a read lying on a larger code is a partial misread of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from domain.errors import InvalidInput
from domain.scanning import GS, DecodedCode, gs1_for_gtin, gs1_hri, has_valid_check_digit, parse_gs1

from .images import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, load_gray

F = zxingcpp.BarcodeFormat
# zxing-cpp format -> contract name
_NAMES = {
    F.EAN13: "EAN13", F.EAN8: "EAN8", F.UPCA: "UPCA", F.UPCE: "UPCE", F.Code128: "Code128",
    F.Code39: "Code39", F.Code93: "Code93", F.ITF: "ITF", F.Codabar: "Codabar", F.QRCode: "QRCode",
    F.DataMatrix: "DataMatrix", F.PDF417: "PDF417", F.Aztec: "Aztec",
}
_FORMATS = list(_NAMES)
_LINEAR_MIN_LENGTH = {"ITF": 6, "Codabar": 4, "Code39": 3, "Code93": 3}
cv2.setNumThreads(1)  # one photo per core; OpenCV's own threads only fight the event loop


@dataclass(frozen=True)
class _Found:
    code: DecodedCode
    area: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the image it was read from


def to_decoded(barcode: zxingcpp.Barcode) -> DecodedCode | None:
    """A zxing-cpp result (read with TextMode.Plain) -> DecodedCode, or None if it fails validation."""
    name = _NAMES.get(barcode.format)
    if name is None:
        return None
    text = barcode.text
    if name in ("EAN13", "EAN8", "UPCA", "UPCE"):
        if name == "UPCE":
            text = (barcode.extra or {}).get("UPCE", text)
        elif name == "EAN13" and text.startswith("0"):
            name, text = "UPCA", text[1:]  # a UPC-A is an EAN-13 with a leading 0
        elif name == "UPCA" and len(text) == 13:
            text = text[1:]
        gs1 = gs1_for_gtin(text, name)
        if gs1 is None or not has_valid_check_digit(gs1["01"]):
            return None
        return DecodedCode(name, text, text, gs1)
    if barcode.content_type == zxingcpp.ContentType.GS1:
        identifier = barcode.symbology_identifier
        try:
            gs1 = parse_gs1(text, identifier)
        except InvalidInput:
            # Flagged GS1 but not valid GS1: report the data, claim nothing about it.
            return DecodedCode(name, text.lstrip(GS), text.lstrip(GS).replace(GS, " "), None)
        return DecodedCode(name, identifier + text.lstrip(GS), gs1_hri(gs1), gs1)
    if len(text) < _LINEAR_MIN_LENGTH.get(name, 1):
        return None
    return DecodedCode(name, text, text, None)


def _corners(barcode: zxingcpp.Barcode) -> list[tuple[int, int]]:
    p = barcode.position
    return [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
            (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]


def _area(pts) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))) / 2


def _read(image: np.ndarray, **options) -> list[_Found]:
    found = []
    for barcode in zxingcpp.read_barcodes(image, formats=_FORMATS, text_mode=zxingcpp.TextMode.Plain, **options):
        code = to_decoded(barcode)
        pts = _corners(barcode)
        if code is not None and code.format in _WEAK_CHECK and (code.format in _SHORT or _thin(pts)):
            code = _confirm(image, pts, code, barcode.format)
        if code is not None:
            found.append(_Found(code, _area(pts), _box(pts)))
    return found


# Linear codes with no or a weak check (one mod-10 digit, none at all for ITF,
# Codabar, Code39) can be misread by a scan line slanting through part of a
# symbol, and the wrong number may pass the check. Such a read spans only a few
# lines ("thin"); it is accepted only when a close-up of the spot reads the same
# symbology again, properly. EAN-8 and UPC-E are so short that they always are.
_WEAK_CHECK = {"EAN13", "UPCA", "EAN8", "UPCE", "ITF", "Codabar", "Code39"}
_SHORT = {"EAN8", "UPCE"}
_EAN_UPC = [F.EAN8, F.UPCE, F.EAN13, F.UPCA]


def _thin(pts) -> bool:
    """Only a few scan lines agreed: the read spans much less across the bars than along them."""
    along = math.dist(pts[0], pts[1])
    across = math.dist(pts[0], pts[3])
    return across < 0.04 * along


def _confirm(image: np.ndarray, pts, code: DecodedCode, fmt) -> DecodedCode | None:
    """Reads the spot again, enlarged 2x; returns what the close-up says: one proper
    (not thin) read of the same symbology, else None (nothing there, or it lies
    on another EAN/UPC symbol and was a partial read of it)."""
    x0, y0, x1, y1 = _box(pts)
    length = max(x1 - x0, y1 - y0)
    margin = 0.35 * length + 8
    h, w = image.shape[:2]
    top, bottom = int(max(0, y0 - margin)), int(min(h, y1 + margin))
    left, right = int(max(0, x0 - margin)), int(min(w, x1 + margin))
    crop = cv2.resize(image[top:bottom, left:right], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    family = _EAN_UPC if code.format in ("EAN13", "UPCA", "EAN8", "UPCE") else [fmt]
    again = [to_decoded(b) for b in zxingcpp.read_barcodes(crop, formats=family, text_mode=zxingcpp.TextMode.Plain,
                                                             try_downscale=False, try_invert=False)
             if not _thin(_corners(b))]
    again = [c for c in again if c is not None]
    if len(again) != 1 or again[0].format != code.format:
        return None
    return again[0]


# ---- candidate regions -----------------------------------------------------------

@dataclass(frozen=True)
class _Region:
    box: tuple[tuple[float, float], tuple[float, float], float]  # cv2.RotatedRect in full-size pixels
    bar_angle: float | None  # degrees to turn so bars stand upright; None for 2D-looking regions
    score: float


def find_regions(gray: np.ndarray, limit: int = 6) -> list[_Region]:
    """Where barcodes may be: strong gradient energy, ranked by how parallel the gradients are."""
    scale = min(1.0, 640 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    small = small.astype(np.float32)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    k = (9, 9)
    jxx = cv2.blur(gx * gx, k)
    jyy = cv2.blur(gy * gy, k)
    jxy = cv2.blur(gx * gy, k)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (energy + 1e-6)
    level = float(np.percentile(energy, 99))
    if level <= 1e-3:
        return []
    mask = (energy > 0.08 * level).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    min_area = 0.0015 * mask.size
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        inside = np.zeros_like(mask)
        cv2.drawContours(inside, [contour], -1, 1, thickness=-1)
        sel = inside.astype(bool)
        coh = float(coherence[sel].mean())
        sxx, syy, sxy = float(jxx[sel].sum()), float(jyy[sel].sum()), float(jxy[sel].sum())
        # gradient direction across the bars; bars upright when it is horizontal
        theta = 0.5 * math.degrees(math.atan2(2 * sxy, sxx - syy))
        (cx, cy), (w, h), ang = cv2.minAreaRect(contour)
        box = ((cx / scale, cy / scale), (w / scale, h / scale), ang)
        regions.append(_Region(box, theta if coh > 0.55 else None, area * (0.5 + coh)))
    regions.sort(key=lambda r: -r.score)
    return regions[:limit]


def _cut(gray: np.ndarray, region: _Region) -> np.ndarray:
    """The region, turned so bars stand upright (or the box is level), with a margin, at a readable size."""
    (cx, cy), (w, h), ang = region.box
    if region.bar_angle is not None:
        turn = region.bar_angle
        diag = math.hypot(w, h)  # unknown extent along the turned axes: take the diagonal
        out_w = out_h = diag
    else:
        turn = ang
        out_w, out_h = w, h
    margin = 0.2 * max(out_w, out_h) + 12
    out_w, out_h = out_w + margin, out_h + margin
    m = cv2.getRotationMatrix2D((cx, cy), turn, 1.0)
    m[0, 2] += out_w / 2 - cx
    m[1, 2] += out_h / 2 - cy
    side = max(out_w, out_h)
    zoom = min(4.0, max(1.0, 900 / side))
    m *= zoom
    size = (max(8, int(out_w * zoom)), max(8, int(out_h * zoom)))
    return cv2.warpAffine(gray, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


_CLAHE = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
_LOCAL = zxingcpp.Binarizer.LocalAverage
_FIXED = zxingcpp.Binarizer.FixedThreshold


def _rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _sharpen(gray: np.ndarray, sigma: float, amount: float = 1.0) -> np.ndarray:
    """Unsharp mask: steepens edges that defocus or motion blur have spread out."""
    return cv2.addWeighted(gray, 1.0 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def _fit(gray: np.ndarray, longest: int) -> np.ndarray:
    scale = longest / max(gray.shape)
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray


def _attempts(gray: np.ndarray):
    """Ever more expensive ways to look at the same photo; each yields found codes."""
    # Upright, as most photos are (~12 ms), then zxing's 90-degree turns and pyramid.
    yield _read(gray, try_rotate=False, try_invert=False)
    yield _read(gray, try_invert=False)
    for region in find_regions(gray):
        cut = _cut(gray, region)
        # A fixed threshold keeps the thin bars that blur has turned grey, which a
        # local average loses; CLAHE evens out glare and shadow first.
        for variant, binarizer in ((lambda: cut, _LOCAL), (lambda: cut, _FIXED),
                                   (lambda: _CLAHE.apply(cut), _LOCAL),
                                   (lambda: _sharpen(_CLAHE.apply(cut), 3.0, 2.0), _FIXED),
                                   (lambda: _sharpen(cut, 5.0, 2.0), _LOCAL)):
            found = _read(variant(), try_invert=False, binarizer=binarizer)
            if found:
                yield found
                return
    work = _fit(gray, 1600)
    yield _read(_CLAHE.apply(work))  # also tries light-on-dark codes
    for degrees in (45, -45, 22.5, -22.5, 67.5, -67.5):
        yield _read(_rotate(work, degrees), try_invert=False, try_downscale=False)
    yield _read(_sharpen(work, 3.0), try_invert=False)
    yield _read(work, binarizer=zxingcpp.Binarizer.GlobalHistogram, try_invert=False)


def _box(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1  # a 1D read may be a bare line


def _overlap(a, b) -> float:
    """Intersection of two boxes over the smaller one's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1e-6)


def _keep_best(found: list[_Found]) -> list[DecodedCode]:
    """One result per symbol, largest first. A second result lying on the same spot as a
    larger one is a partial misread of it (a scan line through the guard bars, an ITF
    read from the middle), never another code: two labels cannot overlap."""
    kept: list[_Found] = []
    for f in sorted(found, key=lambda f: -f.area):
        if any(f.code == k.code or _overlap(f.box, k.box) > 0.5 for k in kept):
            continue
        kept.append(f)
    return [f.code for f in kept]


def decode_gray(gray: np.ndarray) -> list[DecodedCode]:
    """All codes in a grayscale image, largest first; [] when none is readable."""
    for found in _attempts(gray):
        if found:
            return _keep_best(found)
    return []


def decode_image(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[DecodedCode]:
    """Image bytes (photo or file) -> every code found, best first; [] when none.

    Raises InvalidInput when the bytes are not an image or exceed a limit.
    """
    return decode_gray(load_gray(data, max_bytes, max_pixels))


class ZxingDecoder:
    """The BarcodeDecoder port, with the limits from settings.limits."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS):
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    @classmethod
    def from_settings(cls, settings) -> "ZxingDecoder":
        return cls(settings.limits.photo_bytes, settings.limits.photo_pixels)

    def decode(self, data: bytes) -> list[DecodedCode]:
        return decode_image(data, self.max_bytes, self.max_pixels)
