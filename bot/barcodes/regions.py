"""Where in a photo a barcode may be, and cut-outs of those places.

The structure tensor of a 640 px copy marks areas of strong gradients (bars,
2D modules); each area gets a box, a score and, when its gradients are
parallel (a linear code, PDF417), the angle that turns its bars upright.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Region:
    box: tuple[tuple[float, float], tuple[float, float], float]  # cv2.RotatedRect in full-size pixels
    bar_angle: float | None  # degrees to turn so bars stand upright; None for 2D-looking regions
    score: float
    # A second guess for the bar angle when the gradient directions disagree with the
    # tensor's average: long label edges outweigh bars that motion blur has flattened.
    alt_angle: float | None = None

    def bar_angles(self) -> list[float]:
        return [a for a in (self.bar_angle, self.alt_angle) if a is not None]


def _mode_angle(gx: np.ndarray, gy: np.ndarray) -> float:
    """The most common gradient direction (degrees, mod 180), each pixel weighted by its
    gradient magnitude, not its square: many weak bar edges outvote a few strong edges."""
    mag = np.sqrt(gx * gx + gy * gy)
    keep = mag > 0.25 * float(mag.max())
    angles = np.degrees(np.arctan2(gy[keep], gx[keep])) % 180
    hist, _ = np.histogram(angles, bins=90, range=(0, 180), weights=mag[keep])
    hist = np.convolve(np.concatenate([hist[-2:], hist, hist[:2]]), np.ones(5) / 5, "valid")  # circular smoothing
    return (float(np.argmax(hist)) + 0.5) * 2.0


def _angle_gap(a: float, b: float) -> float:
    d = abs(a - b) % 180
    return min(d, 180 - d)


def _odd(n: float) -> int:
    return max(3, int(n) | 1)


def find_regions(gray: np.ndarray, limit: int = 4, longest: int = 640) -> list[Region]:
    """Where barcodes may be: strong gradient energy, ranked by how parallel the gradients are.
    Worked out on a copy `longest` pixels long (less: quicker, coarser)."""
    if min(gray.shape[:2]) < 16:  # a sliver: no region to cut (and its scaled copy would have no pixels)
        return []
    scale = min(1.0, longest / max(gray.shape))
    size = longest / 640  # the window sizes below are for a 640 px copy
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    small = small.astype(np.float32)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    k = (_odd(9 * size),) * 2
    jxx = cv2.blur(gx * gx, k)
    jyy = cv2.blur(gy * gy, k)
    jxy = cv2.blur(gx * gy, k)
    energy = jxx + jyy
    level = float(np.percentile(energy[::2, ::2], 99))  # energy is smooth: a sample will do
    if level <= 1e-3:
        return []
    mask = (energy > 0.08 * level).astype(np.uint8)
    if mask.mean() > 0.4:
        # Most of the photo "busy": a grainy background, and a code too small to reach the
        # top percent. Measure the level on the strongest spots instead.
        mask = (energy > 0.08 * float(energy.max())).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(15 * size),) * 2))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(7 * size),) * 2))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    min_area = 0.0015 * mask.size
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [contour], -1, 1, thickness=-1, offset=(-x, -y))
        sel = inside.astype(bool)
        win = np.s_[y:y + h, x:x + w]
        wxx, wyy, wxy = jxx[win][sel], jyy[win][sel], jxy[win][sel]
        coh = float((np.sqrt((wxx - wyy) ** 2 + 4 * wxy ** 2) / (wxx + wyy + 1e-6)).mean())
        sxx, syy, sxy = float(wxx.sum()), float(wyy.sum()), float(wxy.sum())
        # gradient direction across the bars; bars upright when it is horizontal
        theta = 0.5 * math.degrees(math.atan2(2 * sxy, sxx - syy))
        alt = None
        if coh > 0.55:
            mode = _mode_angle(gx[win][sel], gy[win][sel])
            if _angle_gap(mode, theta) > 8:
                alt = mode
        (cx, cy), (bw, bh), ang = cv2.minAreaRect(contour)
        box = ((cx / scale, cy / scale), (bw / scale, bh / scale), ang)
        regions.append(Region(box, theta if coh > 0.55 else None, area * (0.5 + coh), alt))
    regions.sort(key=lambda r: -r.score)
    return regions[:limit]


ZOOMED_SIDE = 700  # a small region is enlarged to this: bars 1.5 px wide get 4 or more


def cut_zoomed(gray: np.ndarray, region: Region, max_zoom: float = 4.0) -> "Cut":
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
    # small regions enlarged (thin bars get pixels), huge ones (a 12 Mpx file) reduced
    zoom = min(max_zoom, ZOOMED_SIDE / side) if side < ZOOMED_SIDE else min(1.0, 1400 / side)
    m *= zoom
    size = (max(8, int(out_w * zoom)), max(8, int(out_h * zoom)))
    image = cv2.warpAffine(gray, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return Cut(image, cv2.invertAffineTransform(m))


@dataclass(frozen=True)
class Cut:
    image: np.ndarray
    to_photo: np.ndarray  # 2x3 affine: cut pixel -> photo pixel

    def to_photo_points(self, points: np.ndarray) -> np.ndarray:
        """Points (n x 2) of the cut -> the same points in the photo."""
        pts = np.asarray(points, np.float64)
        return pts @ self.to_photo[:, :2].T + self.to_photo[:, 2]


def cut_turned(gray: np.ndarray, centre: tuple[float, float], turn: float, out_w: float, out_h: float,
               max_side: float = 1400) -> Cut:
    """A window of out_w x out_h photo pixels round `centre`, turned by `turn` degrees, at the
    photo's own resolution (reduced only when larger than max_side)."""
    cx, cy = centre
    zoom = min(1.0, max_side / max(out_w, out_h))
    m = cv2.getRotationMatrix2D((cx, cy), turn, zoom)
    m[0, 2] += out_w * zoom / 2 - cx
    m[1, 2] += out_h * zoom / 2 - cy
    size = (max(8, int(out_w * zoom)), max(8, int(out_h * zoom)))
    image = cv2.warpAffine(gray, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return Cut(image, cv2.invertAffineTransform(m))


def cut_level(gray: np.ndarray, region: Region, margin: float = 0.25, max_side: float = 1000) -> tuple[Cut, float, float]:
    """The region's box turned level with its longer side across, a margin round it,
    reduced when larger than max_side. Returns the cut and the box's width and height in it."""
    (cx, cy), (w, h), ang = region.box
    if h > w:  # long side across
        ang, w, h = ang + 90, h, w
    cut = cut_turned(gray, (cx, cy), ang, w * (1 + margin) + 16, h * (1 + margin) + 16, max_side)
    zoom = cut.image.shape[1] / (w * (1 + margin) + 16)
    return cut, w * zoom, h * zoom
