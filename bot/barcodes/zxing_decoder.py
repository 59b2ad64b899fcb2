"""zxing-cpp behind the domain's BarcodeDecoder port, with a fallback for hard photos.

A phone photo of a label is usually easy: zxing-cpp reads it straight away.
Only when that finds nothing do we work harder:

1. the whole image upright only (~10-25 ms at 1280 px); the candidate
   regions (regions.py: strong, parallel gradients) are found beside it, on
   the other core when it is free;
2. nothing read: a list of attempts (plan.py), in the order that read the
   most new photos per CPU millisecond on the benchmark's tuning photos
   (measured by `python -m bench.barcodes.stages`), run by one thread or two
   (zxing-cpp and OpenCV release the GIL):
   a. the best region's box cut level, stretched between its local dark and
      bright levels (glare.py) and read with the global-histogram binarizer
      (~15 ms: glare, blur and combined photos the other cuts miss);
      the best region cut out, turned so the bars stand upright (any angle),
      enlarged when small, read with zxing's global-histogram binarizer (it
      reads most of what the fallback reads, ~12 ms);
   b. the whole photo at half size at a fixed threshold (~3 ms); the second
      region's global and fixed cuts; a 2D-looking best region stretched
      again over wider windows (a washed-out DataMatrix under glare: runs of
      dark modules); the whole photo with the global binarizer;
   c. the best region at a fixed threshold, and as rows averaged along the
      bars and deconvolved for the blur the edges show (profiles.py);
   d. both regions with CLAHE + unsharp mask at a fixed threshold (glare,
      shadow, blur); the best region with the local threshold; the photo at
      half size, local threshold; both regions stretched between their local
      dark and bright levels (glare.py: a reflection lifts paper and bars
      alike);
   e. the whole image with zxing's own turns and pyramid (what plain zxing-cpp
      does); the second region's profiles; the cheapest cut of the other
      regions;
   f. only while nothing at all has been read: the best one deconvolved as a
      blurred 2D code (deblur.py: a Gaussian, then a lens's disk at two radii),
      and flattened as if round a can (cylinder.py).
   The list stops when its attempts have used CPU_BUDGET of CPU (both threads
   together); the two special ways of f get up to SPECIAL_BUDGET: the
   flattening reads PDF417 bent, tilted or creased that nothing else reads.

When step 1 reads something, regions its codes do not account for still get
one quick look (2b as it is): a photo may hold several codes - a GS1 label
with two or three symbols, a box with an EAN-13 and a QR code - and all are
reported.

Results are validated again (EAN/UPC check digits, GS1 structure). A linear
read from a reworked image (a region's cut, the whole photo at another size or
threshold) is voted on: its spot thresholded at nine grey levels must not read
another value there more often (a misread can pass a check digit). A read of
a weakly checked linear code that only a few scan lines agree on, and every
EAN-8/UPC-E, must be read again from a close-up of the same spot; a read
lying on a larger code is a partial misread of it and is dropped; a 2D read
from the fallback that used up all its error correction needs a second read
(another attempt, or the same stretched cut under two other binarizers).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from domain.errors import InvalidInput
from domain.scanning import GS, DecodedCode, gs1_for_gtin, gs1_hri, has_valid_check_digit, parse_gs1

from .cylinder import HALF_ARCS, flatten
from .deblur import blur_of_image, sharpen, wiener_2d, wiener_disk
from .glare import local_range
from .images import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, load_gray
from .plan import Attempts, beside, photo_in_progress
from .profiles import bar_run, read_region
from .regions import Cut, Region, cut_level, cut_turned, cut_zoomed, find_regions

F = zxingcpp.BarcodeFormat
# zxing-cpp format -> contract name
_NAMES = {
    F.EAN13: "EAN13", F.EAN8: "EAN8", F.UPCA: "UPCA", F.UPCE: "UPCE", F.Code128: "Code128",
    F.Code39: "Code39", F.Code93: "Code93", F.ITF: "ITF", F.Codabar: "Codabar", F.QRCode: "QRCode",
    F.DataMatrix: "DataMatrix", F.PDF417: "PDF417", F.Aztec: "Aztec",
}
_FORMATS = list(_NAMES)
_MATRIX = [F.QRCode, F.DataMatrix, F.PDF417, F.Aztec]
QUICK_ZOOM = 1.5
_LINEAR_MIN_LENGTH = {"ITF": 6, "Codabar": 4, "Code39": 3, "Code93": 3}
cv2.setNumThreads(1)  # one photo per core; OpenCV's own threads only fight the event loop


@dataclass(frozen=True)
class _Found:
    code: DecodedCode
    area: float
    quad: np.ndarray  # the symbol's corners (4 x 2) in the image it was read from
    # A 2D code whose error correction was used up: the decoder had to fix as many
    # codewords as it can, so the result may be a miscorrection. From a reworked
    # image (the fallback makes many) such a read must be confirmed.
    spent: bool = False


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


def _read(image: np.ndarray, formats=_FORMATS, **options) -> list[_Found]:
    found = []
    for barcode in zxingcpp.read_barcodes(image, formats=formats, text_mode=zxingcpp.TextMode.Plain, **options):
        code = to_decoded(barcode)
        pts = _corners(barcode)
        checked = _itf14(barcode)
        if code is not None and not checked and code.format in _WEAK_CHECK and (code.format in _SHORT or _thin(pts)):
            code = _confirm(image, pts, code, barcode.format)
        quad = np.array(pts, np.float64)
        if code is not None and not checked and code.format in _NO_CHECK and not _covers_bars(image, quad):
            code = None
        if code is not None:
            spent = barcode.format in _MATRIX and (barcode.extra or {}).get("UEC", 1.0) <= 0.0
            found.append(_Found(code, _area(pts), quad, spent))
    return found


def _itf14(barcode: zxingcpp.Barcode) -> bool:
    """An ITF-14 (a GTIN on a carton) whose mod-10 check digit zxing-cpp verified (symbology
    identifier ]I1): a scan line through part of the symbol reads fewer digits, and a wrong
    digit fails the check, so it needs neither the close-up nor the bar-span test (a bearer
    bar round the symbol spoils the latter). On photogen seeds 7 and 11 no such read was
    wrong in 243, at three binarizers and two sizes."""
    return barcode.format == F.ITF and barcode.symbology_identifier == "]I1" and len(barcode.text) == 14


# Linear codes with no check character at all: a scan line that starts or stops inside
# the symbol can read a shorter, wrong number, with nothing to catch it.
_NO_CHECK = {"ITF", "Codabar", "Code39"}


def _covers_bars(image: np.ndarray, quad: np.ndarray) -> bool:
    """Along its own scan line, does the read reach from the first bar to the last? A read
    of part of a symbol does not: more bars follow beyond one of its ends, with no quiet
    zone between."""
    start, end = (quad[0] + quad[3]) / 2, (quad[1] + quad[2]) / 2  # the middle of the lines that read it
    length = float(np.hypot(*(end - start)))
    if length < 8:
        return True
    along = (end - start) / length
    across = np.array([-along[1], along[0]])
    steps = np.arange(-length / 2, 1.5 * length)
    offsets = np.arange(-2, 3)
    points = start + steps[None, :, None] * along + offsets[:, None, None] * across  # 5 lines side by side
    line = cv2.remap(image, points[..., 0].astype(np.float32), points[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    run = bar_run(line.astype(np.float32).mean(axis=0), length)  # the read's middle is `length` along
    return run is None or length >= 0.85 * (run[1] - run[0])


def _good(found: list[_Found]) -> bool:
    return any(not f.spent for f in found)


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
    family = _EAN_UPC if code.format in ("EAN13", "UPCA", "EAN8", "UPCE") else [fmt]
    spot = image[top:bottom, left:right]
    # Enlarged first (a read from a few lines gets more of them); then, for a blurred code
    # whose bars merge when enlarged, at half size, where only the same value counts.
    for zoom in (2.0, 0.5):
        if zoom < 1 and min(spot.shape[:2]) < HALF_MIN_SIDE:
            break
        crop = cv2.resize(spot, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC if zoom > 1 else cv2.INTER_AREA)
        again = [to_decoded(b) for b in zxingcpp.read_barcodes(crop, formats=family, text_mode=zxingcpp.TextMode.Plain,
                                                                 try_downscale=False, try_invert=False)
                 if not _thin(_corners(b))]
        again = [c for c in again if c is not None]
        if len(again) == 1 and again[0].format == code.format and (zoom > 1 or again[0] == code):
            return again[0]
    return None


# ---- the fallback steps ------------------------------------------------------------

def _clahe(image: np.ndarray) -> np.ndarray:
    """CLAHE with a fresh object each call: OpenCV's CLAHE keeps state, and two threads
    applying one object at once read each other's buffers (an assertion in Mat's ROI)."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(image)
_LOCAL = zxingcpp.Binarizer.LocalAverage
_FIXED = zxingcpp.Binarizer.FixedThreshold
_GLOBAL = zxingcpp.Binarizer.GlobalHistogram
_LINEAR = [f for f in _FORMATS if f not in (F.QRCode, F.DataMatrix, F.PDF417, F.Aztec)]
_BARS = _LINEAR + [F.PDF417]
# How many of the best regions are flattened as if round a can, and deconvolved as 2D codes.
FLATTEN_REGIONS, DECONVOLVE_REGIONS = 1, 1
THOROUGH_REGIONS = 2  # regions that get every way of reading, not only the cheap cuts
CUT_NAMES = ("local", "fixed", "clahe", "range", "global")
LOCAL, FIXED_CUT, CLAHE_CUT, RANGE_CUT, GLOBAL_CUT = range(5)
BARS_ONLY_CUT = FIXED_CUT  # fixed threshold first: it read the most per millisecond on the photo sets
# CPU seconds a photo's attempts after the first read may take in all (both threads), the
# special ones aside: the attempts come cheapest-per-read first, so what is cut off reads
# little; a photo with no code, which runs them all, would otherwise cost several times a
# photo with one.
CPU_BUDGET = 0.06
# The special ways (flattened, deconvolved) run while nothing is read and the attempts have
# used less than this: on tuning seeds 11/12, with CPU_BUDGET 60 ms, letting them run at any
# cost read no more photos (172 of 238 sent to the fallback) and took 1.2 s more CPU.
SPECIAL_BUDGET = 0.1
HALF_MIN_SIDE = 64  # px: a smaller image is not read again at half size (nothing to gain; a 1 px side has no half)
FLAT_SIDE = 560  # px: flattened cuts are read at this size (several tries each: kept small)


def _fit(gray: np.ndarray, longest: int) -> np.ndarray:
    scale = longest / max(gray.shape)
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray


def _in_photo(found: list[_Found], cut: Cut) -> list[_Found]:
    """Results read from a cut -> boxes and areas in photo pixels."""
    scale = abs(float(np.linalg.det(cut.to_photo[:, :2])))  # photo area per cut pixel
    return [_Found(f.code, f.area * scale, cut.to_photo_points(f.quad), f.spent) for f in found]


def _cut_variants(cut: Cut) -> list:
    """As it is (local threshold, then fixed); then contrast-normalised (CLAHE evens out glare
    and shadow), sharpened and cut at a fixed threshold, which keeps the thin bars that blur
    has turned grey; then stretched between its local dark and bright levels (glare.py); as it
    is with zxing's global-histogram binarizer (one threshold per row for linear codes: a cut
    is small enough for the light to be even along a row)."""
    return [lambda: (cut.image, _LOCAL), lambda: (cut.image, _FIXED),
            lambda: (sharpen(_clahe(cut.image), 3.0, 2.0), _FIXED),
            lambda: (local_range(cut.image), _FIXED), lambda: (cut.image, _GLOBAL)]


def _read_cut(cut: Cut, region: Region, variant: int, only_bars: bool = True,
              known: list[_Found] = ()) -> list[_Found]:
    image, binarizer = _cut_variants(cut)[variant]()
    if region.bar_angle is None:
        options = {"try_invert": True}  # may be a 2D code, also printed light on dark
    elif only_bars and variant == BARS_ONLY_CUT:
        # Bars turned upright: scan lines along the rows find a linear code or PDF417, no need
        # for zxing's turns or 2D detectors. A cheap first look only: glare and shadow edges
        # can make a 2D code look "parallel", and a label may carry a DataMatrix beside bars.
        options = {"try_invert": False, "try_rotate": False, "formats": _BARS}
    else:
        options = {"try_invert": False}  # zxing's turns too: the bar angle of a region holding several symbols may be off
    found = _read(image, try_downscale=False, binarizer=binarizer, **options)
    voted = [f for f in found if f.code.format in _VOTED and all(f.code != k.code for k in known)]  # known: read already
    if region.bar_angle is not None and voted:
        found = [f for f in found if all(f is not v for v in voted)] + _by_vote(
            voted, _ladder_votes(cut.image, _spot(cut.image, voted)))
    return _in_photo(found, cut)


def _spot(image: np.ndarray, found: list[_Found]) -> tuple[int, int, int, int]:
    """The part of a cut round some reads (a margin of a third of their length): the ladder
    need not read the rest."""
    pts = np.concatenate([f.quad for f in found])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    margin = max(x1 - x0, y1 - y0) / 3 + 8
    h, w = image.shape[:2]
    return int(max(0, x0 - margin)), int(max(0, y0 - margin)), int(min(w, x1 + margin)), int(min(h, y1 + margin))


# Linear codes whose misread can pass the check: bars that ink, blur or glare have made
# wider or thinner turn one digit's pattern into another's, and the check digit may still
# fit (an EAN-13 read as a different UPC-A). The same cut thresholded at several grey
# levels reads the true value at most of them and the misread at a few.
_VOTED = _WEAK_CHECK | {"Code128", "Code93"}
LADDER_LEVELS = 9


def _family(code: DecodedCode) -> str:
    return "EAN/UPC" if code.format in ("EAN13", "UPCA", "EAN8", "UPCE") else code.format


def _ladder_votes(image: np.ndarray, box: tuple[int, int, int, int] | None = None) -> dict[tuple[str, str], list[_Found]]:
    """The cut (or the box of it) thresholded at LADDER_LEVELS grey levels between its dark
    and bright ends, each read for bars (rows only: the bars stand upright); reads by value,
    boxes in the cut's pixels."""
    x0, y0 = 0, 0
    if box is not None:
        x0, y0, x1, y1 = box
        image = image[y0:y1, x0:x1]
    if min(image.shape[:2]) < 8:
        return {}
    dark, bright = np.percentile(image[::2, ::2], (5, 95))
    votes: dict[tuple[str, str], list[_Found]] = {}
    if bright - dark < 16:
        return votes
    for level in np.linspace(dark, bright, LADDER_LEVELS + 2)[1:-1]:
        binary = np.where(image > level, 255, 0).astype(np.uint8)
        seen = set()
        for f in _read(binary, formats=_LINEAR, try_rotate=False, try_invert=False, try_downscale=False, binarizer=_FIXED):
            key = (f.code.format, f.code.text)
            if key not in seen:
                seen.add(key)
                votes.setdefault(key, []).append(_Found(f.code, f.area, f.quad + (x0, y0), f.spent))
    return votes


def _at(votes: dict[tuple[str, str], list[_Found]], f: _Found) -> dict[tuple[str, str], int]:
    """Levels per value of f's family read on f's spot (another symbol beside it is no rival)."""
    family = _family(f.code)
    here = {}
    for key, reads in votes.items():
        if _family(reads[0].code) == family:
            n = sum(1 for r in reads if _overlap(r.quad, f.quad) > 0.5 or _lies_on(r, f) or _lies_on(f, r))
            if n:
                here[key] = n
    return here


def _vote_in_photo(gray: np.ndarray, found: list[_Found]) -> list[_Found]:
    """Whole-photo reads of the voted codes, checked by the ladder on a cut of their spot
    (turned so the scan line runs along the rows, enlarged when small)."""
    out = []
    for f in found:
        if f.code.format not in _VOTED:
            out.append(f)
            continue
        start, end = (f.quad[0] + f.quad[3]) / 2, (f.quad[1] + f.quad[2]) / 2
        length = max(float(np.hypot(*(end - start))), 8.0)
        turn = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
        cut = cut_turned(gray, tuple((start + end) / 2), turn, 1.3 * length + 16, 0.6 * length + 16)
        zoom = min(4.0, 700 / max(cut.image.shape))
        image = cv2.resize(cut.image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC) if zoom > 1 else cut.image
        to_cut = cv2.invertAffineTransform(cut.to_photo) * max(zoom, 1.0)
        quad = f.quad @ to_cut[:, :2].T + to_cut[:, 2]
        kept = _by_vote([_Found(f.code, f.area, quad, f.spent)], _ladder_votes(image))
        out += [_Found(k.code, f.area, f.quad, f.spent) for k in kept]
    return out


def _by_vote(found: list[_Found], votes: dict[tuple[str, str], list[_Found]]) -> list[_Found]:
    """A voted read stands when no other value of its family is read on its spot at more
    levels (their thresholds may not suit it at all). When another value has at least two
    levels there and twice as many as the read and as any other, that value replaces it;
    else it is dropped."""
    out = []
    for f in found:
        if f.code.format not in _VOTED:
            out.append(f)
            continue
        here = _at(votes, f)
        if not here:
            # A plain Code 128 from a few scan lines has only its mod-103 check (GS1 data has
            # its structure too; EAN/UPC and the unchecked codes are confirmed in _read).
            if not (_thin(list(f.quad)) and f.code.format in ("Code128", "Code93") and f.code.gs1 is None):
                out.append(f)
            continue
        own = here.pop((f.code.format, f.code.text), 0)
        if _checked_itf(f.code):
            # Under glare, levels read pieces of the symbol as short ITFs (no check digit):
            # only another whole, checked ITF-14 is a rival.
            here = {key: n for key, n in here.items() if _checked_itf(votes[key][0].code)}
        rivals = sorted(here.items(), key=lambda kv: -kv[1])
        if not rivals or own >= rivals[0][1]:
            out.append(f)
        elif rivals[0][1] >= max(2, 2 * own) and (len(rivals) == 1 or rivals[0][1] >= 2 * rivals[1][1]):
            out.append(_Found(votes[rivals[0][0]][0].code, f.area, f.quad, f.spent))
    return out


def _checked_itf(code: DecodedCode) -> bool:
    """An ITF-14 whose mod-10 check digit fits (see _itf14)."""
    return code.format == "ITF" and len(code.text) == 14 and code.text.isdigit() and has_valid_check_digit(code.text)


def _read_zoomed_cut(gray: np.ndarray, region: Region, quick: bool = False, known: list[_Found] = ()) -> list[_Found]:
    """Every variant of the region's cut until one reads; a quick look (for a second code beside
    one read: about as large, no need to enlarge much) tries the cut as it is only."""
    cut = cut_zoomed(gray, region, QUICK_ZOOM if quick else 4.0)
    found: list[_Found] = []
    for variant in range(1 if quick else 3):
        found += _read_cut(cut, region, variant, only_bars=not quick, known=known)
        if _good(found):
            break
    return found


def _region_quad(region: Region) -> np.ndarray:
    return cv2.boxPoints(region.box).astype(np.float64)


def _read_profiles(gray: np.ndarray, region: Region) -> list[_Found]:
    if region.bar_angle is None:
        return []
    return [_Found(r.code, r.area, r.quad) for r in read_region(gray, region, _LINEAR, to_decoded)]


def _readable(image: np.ndarray, side: int = 700) -> tuple[np.ndarray, float]:
    """A cut enlarged so that small modules get a few pixels each."""
    zoom = min(3.0, max(1.0, side / max(image.shape)))
    if zoom > 1:
        image = cv2.resize(image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    return image, zoom


def _read_flattened(gray: np.ndarray, region: Region) -> list[_Found]:
    """The region unrolled as if round a cylinder, either way, at a few curvatures."""
    cut, w, h = cut_level(gray, region)
    # Across the long side first; across the short side only for squarish symbols: a
    # wide one (PDF417) bent the other way is barely distorted along its rows.
    ways = ((False, w / 2), (True, h / 2)) if w < 1.6 * h else ((False, w / 2),)
    found: list[_Found] = []
    for vertical, half in ways:
        for arc in HALF_ARCS:
            image, _ = _readable(flatten(cut.image, half, arc, vertical), FLAT_SIDE)
            found += _read(image, formats=_MATRIX, try_invert=False, try_downscale=False)
            if _good(found):
                break
        if _good(found):
            break
    return [_Found(f.code, f.area, _region_quad(region), f.spent) for f in found]


def _read_level_range(gray: np.ndarray, region: Region, window: int = 96) -> list[_Found]:
    """The region's box cut level, stretched between its local dark and bright levels
    (glare.py), enlarged a little, read with the global-histogram binarizer and zxing's
    turns. Cheaper than the zoomed cuts (no 4x enlargement of the whole diagonal square),
    and on glare, blur and combined photos of the tuning seeds it read the most of what
    the list missed. Linear reads are voted on at their spot like whole-photo reads."""
    cut, _, _ = cut_level(gray, region)
    image, zoom = _readable(local_range(cut.image, window))
    enlarged = Cut(image, np.hstack([cut.to_photo[:, :2] / zoom, cut.to_photo[:, 2:]]))
    found = _confirm_spent(image, _read(image, try_invert=False, try_downscale=False, binarizer=_GLOBAL))
    return _vote_in_photo(gray, _in_photo(found, enlarged))


def _read_level_range_wide(gray: np.ndarray, region: Region) -> list[_Found]:
    """The level cut stretched over wider windows (WIDE_WINDOW): a 2D code has runs of
    several dark modules, inside which the narrow window's darkest and brightest levels are
    both dark, so its stretch turns them to noise (washed-out DataMatrix under glare)."""
    return _read_level_range(gray, region, WIDE_WINDOW)


WIDE_WINDOW = 24  # a 24th of the cut: three or four modules of a 2D code filling it


def _confirm_spent(image: np.ndarray, found: list[_Found]) -> list[_Found]:
    """A 2D read that used up its error correction, confirmed by the same image cut by two
    other binarizers: each flips other modules, so a miscorrection would not be reached
    again (a washed-out DataMatrix under glare read once, with no second source)."""
    if not any(f.spent for f in found):
        return found
    again = [f.code for b in (_LOCAL, _FIXED)
             for f in _read(image, formats=_MATRIX, try_invert=False, try_downscale=False, binarizer=b)]
    return [_Found(f.code, f.area, f.quad, False) if f.spent and f.code in again else f for f in found]


def _read_deconvolved(gray: np.ndarray, region: Region) -> list[_Found]:
    """A blurred 2D code (or PDF417) deconvolved for the defocus its edges suggest."""
    cut, _, _ = cut_level(gray, region)
    spread = blur_of_image(cut.image)
    if spread < 0.8:
        return []
    found: list[_Found] = []
    for restore, binarizer in ((lambda: wiener_2d(cut.image, spread, 0.02), _FIXED),
                               *((lambda r=r: wiener_disk(cut.image, r * spread, 0.02), _LOCAL) for r in DISK_RADII)):
        image, _ = _readable(restore())
        found += _read(image, formats=_MATRIX, try_invert=False, try_downscale=False, binarizer=binarizer)
        if _good(found):
            break
    return [_Found(f.code, f.area, _region_quad(region), f.spent) for f in found]


# Disk radii tried for a lens out of focus, per unit of the edge spread measured (a Gaussian
# sigma): on defocused QR, DataMatrix and PDF417 of tuning seeds 13 and 14 the radii that
# read lay between 1.2 and 1.6 times the spread.
DISK_RADII = (1.3, 1.6)


@dataclass(frozen=True)
class _Attempt:
    name: str  # the step, as the trace reports it
    source: str  # reads of the same pixels share a source (see `keep` in decode_gray)
    region: Region | None
    special: bool  # costly, for special cases (a curved label, a blurred 2D code): only while nothing is read
    read: Callable[[], list[_Found]]
    label: str = ""  # which region and which way, for the benchmark's per-step figures


def _fallback_attempts(gray: np.ndarray, work: np.ndarray, regions: list[Region]) -> Iterator[_Attempt]:
    """Nothing read upright: the ways to read the photo, in the order that read the most new
    photos per CPU millisecond on photogen tuning seeds 11 and 12 (a greedy order from
    bench.barcodes.stages): the best region with the global-histogram binarizer reads 121 of
    the 174 any step reads; then the cheap whole-photo and second-region looks, the fixed
    cut and the profiles, the costlier cuts, the whole photo turned; the other regions get
    the cheapest cut only."""
    cuts: dict[int, Cut] = {}
    cut_lock = threading.Lock()

    def cut_of(region: Region) -> Cut:
        with cut_lock:  # one cut per region, whichever thread gets there first
            if id(region) not in cuts:
                cuts[id(region)] = cut_zoomed(gray, region, 4.0)
            return cuts[id(region)]

    rank = {id(region): i for i, region in enumerate(regions)}

    def cut(region: Region, variant: int) -> _Attempt:
        return _Attempt("_read_zoomed_cut", f"cut {id(region)}", region, False,
                        lambda: _read_cut(cut_of(region), region, variant),
                        f"region{min(rank[id(region)], 2)}.{CUT_NAMES[variant]}")

    def step(how, region: Region, special: bool = False) -> _Attempt:
        return _Attempt(how.__name__, f"{how.__name__} {id(region)}", region, special, lambda: how(gray, region),
                        f"region{min(rank[id(region)], 2)}.{how.__name__.removeprefix('_read_')}")

    best, second, rest = regions[:1], regions[1:THOROUGH_REGIONS], regions[THOROUGH_REGIONS:]

    def whole(image: np.ndarray, **options) -> list[_Found]:
        """The whole photo (or a smaller copy) read; boxes in photo pixels; voted codes checked."""
        scale = gray.shape[1] / image.shape[1]
        found = [_Found(f.code, f.area * scale * scale, f.quad * scale, f.spent) for f in _read(image, **options)]
        return _vote_in_photo(gray, found)
    half = lambda: cv2.resize(work, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)  # noqa: E731
    halves = min(work.shape[:2]) >= HALF_MIN_SIDE
    photo_half = _Attempt("turns", "photo half", None, False,
                          lambda: whole(half(), try_invert=False, try_downscale=False, binarizer=_FIXED), "photo.half")
    yield from (step(_read_level_range, region) for region in best)
    yield from (cut(region, GLOBAL_CUT) for region in best)
    yield from [photo_half] if halves else []
    yield from (cut(region, variant) for region in second for variant in (GLOBAL_CUT, FIXED_CUT))
    # After the second region's cheap cuts: ahead of them it used up the budget they had
    # (a small DataMatrix in the second region of seed 15 went unread).
    yield from (step(_read_level_range_wide, region) for region in best if region.bar_angle is None)
    yield _Attempt("global", "photo global", None, False,
                   lambda: whole(gray, try_rotate=False, try_invert=False, binarizer=_GLOBAL), "photo.global")
    yield from (cut(region, FIXED_CUT) for region in best)
    yield from (step(_read_profiles, region) for region in best if region.bar_angle is not None)
    yield from (cut(region, CLAHE_CUT) for region in second + best)
    yield from (cut(region, LOCAL) for region in best)
    if halves:
        yield _Attempt("turns", "photo half local", None, False, lambda: whole(half(), try_invert=False, try_downscale=False),
                       "photo.half.local")
    yield from (cut(region, RANGE_CUT) for region in best)
    yield from (cut(region, variant) for region in second for variant in (LOCAL, RANGE_CUT))
    yield _Attempt("turns", "photo", None, False, lambda: whole(work, try_invert=False), "photo.turns")
    yield from (step(_read_profiles, region) for region in second if region.bar_angle is not None)
    yield from (cut(region, FIXED_CUT) for region in rest)
    yield from (step(_read_deconvolved, r, True) for r in regions[:DECONVOLVE_REGIONS])
    yield from (step(_read_flattened, r, True) for r in regions[:FLATTEN_REGIONS])


def _quick_looks(gray: np.ndarray, regions: list[Region], known: list[_Found]) -> Iterator[_Attempt]:
    """A code was read: another one elsewhere on the photo (turned, smaller)? Regions the
    codes read leave unexplained get one quick look each (a code read again there, `known`,
    needs no vote)."""
    for region in regions:
        yield _Attempt("another", f"cut {id(region)}", region, False,
                       lambda region=region: _read_zoomed_cut(gray, region, quick=True, known=known))


def _box(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1  # a 1D read may be a bare line


def _thick(quad: np.ndarray) -> np.ndarray:
    """A read's corners as a convex polygon of some width: a linear code read from a
    few scan lines is a bare line, which gets 2 px on either side."""
    pts = np.asarray(quad, np.float32).reshape(-1, 2)
    hull = cv2.convexHull(pts)
    if cv2.contourArea(hull) >= 4:
        return hull
    (cx, cy), (w, h), angle = cv2.minAreaRect(pts)
    return cv2.boxPoints(((cx, cy), (max(w, 4.0), max(h, 4.0)), angle)).reshape(-1, 1, 2)


def _lies_on(thin: _Found, other: _Found) -> bool:
    """A read from a few scan lines that runs along a larger read, over or just beside it:
    a line through the same bars that went wrong (even a checksum can pass by chance)."""
    if not _thin(list(thin.quad)):
        return False
    length = math.dist(thin.quad[0], thin.quad[1])
    other_length = max(math.dist(other.quad[0], other.quad[1]), 1e-6)
    middle = tuple(float(v) for v in thin.quad.mean(axis=0))
    inside = cv2.pointPolygonTest(_thick(other.quad), middle, True)  # > 0 inside, else minus the distance
    return length >= 0.5 * other_length and inside >= -0.05 * other_length


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection of two symbols' outlines over the smaller one's area. Outlines, not
    upright boxes: two codes stacked on a slanted label have overlapping boxes."""
    pa, pb = _thick(a), _thick(b)
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    if inter <= 0:
        return 0.0
    return float(inter) / max(min(cv2.contourArea(pa), cv2.contourArea(pb)), 1e-6)


def _clash(a: _Found, b: _Found) -> bool:
    """Two values of one linear family read on the same symbol: their outlines touch (two
    labels cannot overlap) or one runs along the other. One of them is a misread that
    passed the check (motion blur: two EAN-13s, one from the top rows of the bars)."""
    return (a.code != b.code and a.code.format in _VOTED and _family(a.code) == _family(b.code)
            and (_overlap(a.quad, b.quad) > 0.05 or _lies_on(a, b) or _lies_on(b, a)))


SHORT_READ = 0.3  # an EAN-13/UPC-A read spanning less than this across the bars, of its length, is voted on


def _vote_short(gray: np.ndarray, found: list[_Found]) -> list[_Found]:
    """EAN-13/UPC-A reads from the whole photo that few scan lines agree on (a band of the
    bars: curved, blurred or partly hidden) are voted on by the ladder at their spot. A
    misread passing the check digit spans a band; a clean read spans most of the bars."""
    short = [f for f in found if f.code.format in ("EAN13", "UPCA")
             and math.dist(f.quad[0], f.quad[3]) < SHORT_READ * math.dist(f.quad[0], f.quad[1])]
    if not short:
        return found
    return [f for f in found if all(f is not s for s in short)] + _vote_in_photo(gray, short)


def _settle(gray: np.ndarray, found: list[_Found]) -> list[_Found]:
    """Clashing reads are voted on by the ladder at their spots (each may be replaced by
    the value its spot reads most); a clash left after that keeps the larger (_keep_best)."""
    clashing = {id(a) for a in found for b in found if _clash(a, b)}
    if not clashing:
        return found
    return [f for f in found if id(f) not in clashing] + _vote_in_photo(gray, [f for f in found if id(f) in clashing])


def _keep_best(found: list[_Found]) -> list[DecodedCode]:
    """One result per symbol, largest first. A second result lying on the same spot as a
    larger one is a partial misread of it (a scan line through the guard bars, an ITF
    read from the middle), never another code: two labels cannot overlap."""
    kept: list[_Found] = []
    for f in sorted(found, key=lambda f: -f.area):
        if any(f.code == k.code or _overlap(f.quad, k.quad) > 0.5 or _lies_on(f, k) or _clash(f, k) for k in kept):
            continue
        kept.append(f)
    return [f.code for f in kept]


# A region counts as explained when the codes read so far cover this share of it.
# A code fills much of its region (a third to a half: the region also takes in
# the quiet zone and the print round it); a region holding a second code, or
# a whole label of them, is covered far less.
EXPLAINED = 0.15


def _share_read(region: Region, found: list[_Found]) -> float:
    """How much of the region the codes read so far cover."""
    quad = _thick(_region_quad(region))
    inside = sum(cv2.intersectConvexConvex(quad, _thick(f.quad))[0] for f in found)
    return inside / max(cv2.contourArea(quad), 1e-6)


def decode_gray(gray: np.ndarray, trace: list | None = None, parallel: bool = True) -> list[DecodedCode]:
    """All codes in a grayscale image, largest first; [] when none is readable.

    Cheapest first: the whole photo upright (while the candidate regions are found
    beside it). When that reads something, only regions its codes leave unexplained
    get a quick look (another code on the same photo); otherwise the fallback
    attempts run, two at a time when this is the only photo being decoded
    (`parallel=False` keeps it to one thread). `trace`, when given, collects the
    names of the steps that read something.
    """
    with photo_in_progress() as alone:
        return _decode(gray, trace, alone and parallel)


def _decode(gray: np.ndarray, trace: list | None, helper: bool) -> list[DecodedCode]:
    spent: dict[tuple[str, str], dict[str, _Found]] = {}  # (format, text) -> source -> read

    def keep(more: list[_Found], source: str) -> list[_Found]:
        """The reads to go on with; those that used up their error correction wait for a
        second read from another source (the same pixels would only repeat a miscorrection)."""
        for f in more:
            if f.spent:
                spent.setdefault((f.code.format, f.code.text), {}).setdefault(source, f)
        return [f for f in more if not f.spent]

    regions_later = beside(helper, lambda: find_regions(gray))
    found = keep(_vote_short(gray, _read(gray, try_rotate=False, try_invert=False)), "photo")
    regions = regions_later()
    if found:
        if trace is not None:
            trace.append("upright")
        attempts = _quick_looks(gray, regions, found)
    else:
        # Whole-image passes beyond the first work on at most ~2000 px (a 12 Mpx file
        # would cost seconds); candidate regions are still cut from the full image.
        attempts = _fallback_attempts(gray, _fit(gray, 2048), regions)
    done: set[int] = set()  # regions read, or explained by what was read
    used = [0.0]  # CPU seconds the attempts have taken, both threads together

    def skip(attempt: _Attempt) -> bool:
        if used[0] >= (SPECIAL_BUDGET if attempt.special else CPU_BUDGET):
            return True
        if attempt.special and found:
            return True
        if attempt.region is None:
            return bool(found)
        if id(attempt.region) in done:
            return True
        if found and _share_read(attempt.region, found) >= EXPLAINED:
            done.add(id(attempt.region))
            return True
        return False

    def run(attempt: _Attempt) -> None:
        start = time.thread_time()
        more = attempt.read()
        with plan.lock:
            used[0] += time.thread_time() - start
            more = [f for f in keep(more, attempt.source) if all(f.code != k.code for k in found)]
            if more:
                found.extend(more)
                if attempt.region is not None:
                    done.add(id(attempt.region))
                if trace is not None:
                    trace.append(attempt.name)

    plan = Attempts(attempts, skip, run)
    plan.run_all(helper)
    # A read that used up its error correction counts when a second attempt read it too.
    for sources in spent.values():
        first = next(iter(sources.values()))
        if len(sources) >= 2 and all(first.code != k.code for k in found):
            found.append(first)
            if trace is not None:
                trace.append("confirmed")
    return _keep_best(_settle(gray, found))


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
