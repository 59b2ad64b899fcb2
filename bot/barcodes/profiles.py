"""Linear codes too blurred for a scan line: read from averaged, deconvolved profiles.

The region is turned so its bars stand upright; the rows across the bars are
averaged in bands (the whole bar height and its thirds, since perspective
makes the bars lean differently at the top and bottom). Averaging many rows
leaves almost no noise, so the profile can be deconvolved: for Gaussian
(defocus) and box (motion) kernels around the guessed blur width, at two
noise levels. Each result, stretched 3x so thin bars get pixels, goes to
zxing-cpp's linear readers as a small image (~0.1 ms a try).

A read counts only when two bands agree on it: a lucky misread of one
deconvolution of one band is not enough.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from domain.scanning import DecodedCode

from .deblur import Wiener1D, box_kernel, edge_spread, gaussian_kernel
from .regions import Cut, Region, cut_turned

_STRETCH = 3
_ROWS = 8
_NOISE_LEVELS = (0.01, 0.001)
_BINARIZERS = (zxingcpp.Binarizer.FixedThreshold, zxingcpp.Binarizer.GlobalHistogram)


@dataclass(frozen=True)
class ProfileRead:
    code: DecodedCode
    quad: np.ndarray  # the bars' corners in the photo (4 x 2)
    area: float
    bands: int  # how many bands read it


def _bar_rows(image: np.ndarray) -> tuple[int, int] | None:
    """Rows crossed by the bars: strong horizontal, weak vertical gradients."""
    f = image.astype(np.float32)
    gx = np.abs(cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3))
    rows = np.clip(cv2.blur(gx - gy, (15, 1)), 0, None).sum(axis=1)
    rows = np.convolve(rows, np.ones(5) / 5, "same")
    peak = int(rows.argmax())
    if rows[peak] <= 0:
        return None
    above = rows > 0.35 * rows[peak]
    top, bottom = peak, peak
    while top > 0 and above[top - 1]:
        top -= 1
    while bottom < len(rows) - 1 and above[bottom + 1]:
        bottom += 1
    return (top, bottom) if bottom - top >= 5 else None


def bar_extent(profile: np.ndarray) -> tuple[int, int]:
    """From the first to the last bar of a profile across them (the middle 98% of its edge
    energy); the whole profile when it is flat."""
    energy = np.convolve(np.abs(np.diff(profile)), np.ones(9) / 9, "same")
    total = np.cumsum(energy)
    if len(total) == 0 or total[-1] <= 0:
        return 0, len(profile)
    return int(np.searchsorted(total, 0.01 * total[-1])), int(np.searchsorted(total, 0.99 * total[-1]))


def bar_run(profile: np.ndarray, centre: float) -> tuple[float, float] | None:
    """The run of bar edges round `centre` in a profile across a linear code: edges follow
    one another at most a few modules apart inside a symbol, and a quiet zone (ten modules
    or more) ends it. Returns the first and last edge, or None when no edges are there."""
    slope = np.abs(np.diff(np.convolve(profile, np.ones(3) / 3, "same")))
    if len(slope) < 5:
        return None
    peaks = np.flatnonzero((slope[1:-1] >= slope[:-2]) & (slope[1:-1] > slope[2:])) + 1
    peaks = peaks[slope[peaks] > 0.25 * np.percentile(slope, 98)]
    if len(peaks) < 6:
        return None
    gaps = np.diff(peaks)
    quiet = gaps > 5 * np.median(gaps)  # a narrow element is ~1-2 gaps of the median; a quiet zone 10 modules
    inside = int(np.clip(np.searchsorted(peaks, centre), 1, len(peaks) - 1))
    first, last = inside - 1, inside
    while first > 0 and not quiet[first - 1]:
        first -= 1
    while last < len(peaks) - 1 and not quiet[last]:
        last += 1
    return float(peaks[first]), float(peaks[last])


def _bar_columns(profile: np.ndarray) -> tuple[int, int]:
    """Columns holding the bars, quiet zones included."""
    left, right = bar_extent(profile)
    margin = int(0.08 * (right - left)) + 10
    return max(0, left - margin), min(len(profile), right + margin + 1)


def _kernels(spread: float) -> list[np.ndarray]:
    """Gaussians and boxes round the guessed blur width."""
    if spread < 0.6:
        return []
    kernels = [gaussian_kernel(spread * f) for f in (0.8, 0.9, 1.0, 1.12, 1.25)]
    lengths = sorted({max(3, int(round(3 * spread * f))) for f in (0.8, 0.9, 1.0, 1.12, 1.25)})
    return kernels + [box_kernel(n) for n in lengths]


def _image(profile: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """A profile -> a few identical rows, stretched, contrast-normalised."""
    n = len(profile)
    lo, hi = np.partition(profile, (n // 50, n - 1 - n // 50))[[n // 50, n - 1 - n // 50]]
    stretched = np.interp(positions, np.arange(n), profile)
    row = np.clip((stretched - lo) * (255.0 / max(hi - lo, 1e-3)), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.broadcast_to(row, (_ROWS, len(row))))


def _decode(image: np.ndarray, formats, to_decoded) -> dict:
    out = {}
    for binarizer in _BINARIZERS:
        for barcode in zxingcpp.read_barcodes(image, formats=formats, text_mode=zxingcpp.TextMode.Plain, try_rotate=False,
                                              try_downscale=False, try_invert=False, binarizer=binarizer):
            code = to_decoded(barcode)
            if code is not None:
                out[(code.format, code.text)] = code
    return out


def _reads_of_band(profile: np.ndarray, filters: list[np.ndarray], wiener: Wiener1D, formats, to_decoded) -> dict:
    """(format, text) -> code, for everything any deconvolution of the band reads."""
    positions = np.linspace(0, len(profile) - 1, len(profile) * _STRETCH)
    found = _decode(_image(profile, positions), formats, to_decoded)
    if filters:
        spectrum = wiener.spectrum(profile)
        for f in filters:
            found.update(_decode(_image(wiener.apply(spectrum, f), positions), formats, to_decoded))
    return found


def read_region(gray: np.ndarray, region: Region, formats, to_decoded) -> list[ProfileRead]:
    """Linear codes in a region, each read on at least two bands."""
    (cx, cy), (w, h), _ = region.box
    side = math.hypot(w, h) * 1.1 + 24
    for angle in region.bar_angles():
        # The region's angle is a few degrees off at worst; averaging along tall bars needs
        # it to half a degree. Measure what lean is left and cut again (twice at most).
        for _ in range(3):
            cut = cut_turned(gray, (cx, cy), angle, side, side)
            rows = _bar_rows(cut.image)
            if rows is None:
                break
            lean = _tilt(cut.image[rows[0]:rows[1] + 1].astype(np.float64))
            if abs(lean) < 0.3:
                break
            angle -= lean
        if rows is not None:
            found = _read_cut(cut, rows, formats, to_decoded)
            if found:
                return found
    return []


def _read_cut(cut: Cut, rows: tuple[int, int], formats, to_decoded) -> list[ProfileRead]:
    top, bottom = rows
    height = bottom - top + 1
    whole = cut.image[top:bottom + 1].astype(np.float64).mean(axis=0)
    left, right = _bar_columns(whole)
    if right - left < 24:
        return []
    strip = cut.image[top:bottom + 1, left:right].astype(np.float64)
    whole = whole[left:right]
    kernels = _kernels(edge_spread(whole, np.diff(whole)))
    wiener = Wiener1D(right - left)
    filters = [wiener.filter(k, noise) for noise in _NOISE_LEVELS for k in kernels]
    thirds = [strip[i * height // 3:(i + 1) * height // 3].mean(axis=0) for i in range(3)] if height >= 9 else []
    votes: dict = {}
    codes: dict = {}
    # The thirds are tried even when the whole band read nothing: perspective leans the bars.
    for band in [whole] + thirds:
        for key, code in _reads_of_band(band, filters, wiener, formats, to_decoded).items():
            codes[key] = code
            votes[key] = votes.get(key, 0) + 1
        if any(v >= 2 for v in votes.values()):
            break
    agreed = [k for k, v in votes.items() if v >= 2]
    if len(agreed) != 1:
        return []  # nothing, or bands disagree: not trustworthy
    key = agreed[0]
    quad = cut.to_photo_points([[left, top], [right, top], [right, bottom], [left, bottom]])
    return [ProfileRead(codes[key], quad, float((right - left) * height), votes[key])]


def _tilt(strip: np.ndarray) -> float:
    """How far (degrees) the bars in `strip` still lean: the shift between the profiles
    of its upper and lower halves, found by cross-correlating their edges."""
    half = strip.shape[0] // 2
    upper = np.diff(strip[:half].mean(axis=0))
    lower = np.diff(strip[half:2 * half].mean(axis=0))
    reach = max(2, int(half * math.tan(math.radians(10))))
    n = len(upper)
    if n <= 2 * reach + 8:
        return 0.0
    core = upper[reach:n - reach]
    scores = np.array([float(np.dot(core, lower[reach + s:n - reach + s])) for s in range(-reach, reach + 1)])
    best = int(scores.argmax())
    shift = float(best - reach)
    if 0 < best < len(scores) - 1:  # parabola through the peak: sub-pixel shift
        a, b, c = scores[best - 1], scores[best], scores[best + 1]
        if a - 2 * b + c < 0:
            shift += 0.5 * (a - c) / (a - 2 * b + c)
    return math.degrees(math.atan2(shift, half))
