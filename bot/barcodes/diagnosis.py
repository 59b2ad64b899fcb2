"""Why a photo gave no code: a few image statistics, in the words of a picker.

Only for photos the decoder gave up on. The likeliest place of a code is the
best candidate region (regions.py); the statistics are taken there, with a
margin, and over the whole photo:

- brightness: the label's paper is the brightest large thing in a photo of a
  label. When even the brightest few percent are dim, the photo is too dark.
- glare: a highlight on the code: the paper between the bars (the local
  maximum) is clipped white in part of the code's area and far darker in the
  rest. Clipped paper all over is only a well-lit (or overexposed) label.
- sharpness: how many pixels an edge is spread over (deblur.edge_spread) in
  the region; thin bars vanish when that is more than a couple of pixels.
- size: a code-like region that takes up only a sliver of the photo.
- no region at all with the strong, regular edges of a code: no code seen.

The checks run in that order: darkness and glare also blur edges and hide
bars, so they are named first; a photo none of them explains gets the
general advice.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from domain.scanning import PhotoProblem

from .deblur import blur_of_image
from .images import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, load_gray
from .regions import cut_level, find_regions

DARK_PAPER = 95  # grey level: the brightest 2% of a well-lit label photo are far above this
CLIPPED = 250  # grey level counted as clipped white
GLARE_SHARE = 0.03  # share of the code's area where the paper is clipped...
GLARE_CONTRAST = 0.8  # ...while the typical paper there is under this share of the highlight
BLURRED = 2.2  # edge spread (Gaussian sigma, px at the photo's scale) beyond which bars merge
SMALL_SIDE = 0.12  # a region whose longer side is under this share of the photo's is far away
_SIDE = 1024  # the statistics are taken on a copy this long: enough, and cheap


@dataclass(frozen=True)
class PhotoStats:
    """What the problem is decided on (kept for the benchmark and for tuning)."""

    paper: float  # grey level of the brightest 2% of the photo
    glare: float  # share of the best region where a highlight clips the paper (0 when the paper is even)
    spread: float  # edge spread in the best region, px at the photo's scale
    side: float  # the best region's longer side over the photo's
    regions: int


def photo_stats(gray: np.ndarray) -> PhotoStats:
    scale = min(1.0, _SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    paper = float(np.percentile(small[::2, ::2], 98))
    regions = find_regions(small)
    if not regions:
        return PhotoStats(paper, 0.0, 0.0, 0.0, 0)
    best = regions[0]
    (_, _), (w, h), _ = best.box
    side = max(w, h) / max(small.shape)
    code, _, _ = cut_level(small, best, margin=0.0)
    spread = blur_of_image(code.image) / scale
    return PhotoStats(paper, _highlight(code.image), spread, side, len(regions))


def _highlight(code: np.ndarray) -> float:
    """Share of the code's area whose paper is clipped white while the paper elsewhere in it is
    much darker (a reflection, not a well-lit label)."""
    size = max(3, int(min(code.shape) / 8) | 1)  # wider than a bar or a run of dark modules
    paper = cv2.dilate(code, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    clipped = float(np.mean(paper >= CLIPPED))
    typical = float(np.median(paper))
    return clipped if typical < GLARE_CONTRAST * 255 else 0.0


def problem_of(stats: PhotoStats) -> PhotoProblem:
    if stats.paper < DARK_PAPER:
        return PhotoProblem.DARK
    if stats.glare >= GLARE_SHARE:
        return PhotoProblem.GLARE
    if stats.regions == 0:
        return PhotoProblem.NO_CODE
    if stats.spread >= BLURRED:
        return PhotoProblem.BLUR
    if stats.side < SMALL_SIDE:
        return PhotoProblem.SMALL
    return PhotoProblem.UNREADABLE


def photo_problem(gray: np.ndarray) -> PhotoProblem:
    """The likeliest reason a photo (grayscale) gave no code."""
    return problem_of(photo_stats(gray))


def explain_image(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS) -> PhotoProblem:
    """Image bytes the decoder read nothing from -> why, likely. Raises InvalidInput as load_gray does."""
    return photo_problem(load_gray(data, max_bytes, max_pixels))
