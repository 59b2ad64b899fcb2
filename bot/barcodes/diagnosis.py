"""Why a photo gave no code: a few image statistics, in the words of a picker.

Only for photos the decoder gave up on. The likeliest place of a code is the
best candidate region (regions.py); the statistics are taken there, with a
margin, and over the whole photo:

- brightness: the label's paper is the brightest large thing in a photo of a
  label. When even the brightest few percent are dim, or the paper stands
  only a few noise levels above black (a phone brightening a dim scene
  brightens its sensor noise too), the photo is too dark.
- glare: clipped white on or right beside the code, while the code's paper
  (the local maximum, between the bars) is far darker elsewhere: a
  reflection. Paper clipped evenly is only a well-lit (or overexposed) label.
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
from .regions import Region, cut_level, find_regions

DARK_PAPER = 95  # grey level: the brightest 2% of a well-lit label photo are far above this
DARK_SNR = 16  # paper over noise below this: a dim scene brightened by the phone
CLIPPED = 250  # grey level counted as clipped white
GLARE_SHARE = 0.1  # clipped white on and beside the code, over the code's area...
GLARE_CONTRAST = 0.85  # ...while part of the code's paper is under this share of full white
BLURRED = 1.8  # edge spread (Gaussian sigma, px at the photo's scale) beyond which bars merge
SMALL_SIDE = 0.12  # a region whose longer side is under this share of the photo's is far away
TEXTURE = 0.5  # a "region" over half the photo is texture or print all over, not a code
_SIDE = 1024  # the statistics are taken on a copy this long: enough, and cheap


@dataclass(frozen=True)
class PhotoStats:
    """What the problem is decided on (kept for the benchmark and for tuning)."""

    paper: float  # grey level of the brightest 2% of the photo
    noise: float  # standard deviation of the pixel noise, grey levels
    glare: float  # clipped white on and beside the best region, over its area (0 when its paper is bright)
    spread: float  # edge spread in the best region, px at the photo's scale
    side: float  # the best region's longer side over the photo's
    regions: int


def photo_stats(gray: np.ndarray) -> PhotoStats:
    scale = min(1.0, _SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    paper = float(np.percentile(small[::2, ::2], 98))
    noise = _noise(gray)  # full size: downscaling averages the noise away
    # Finer than the decoder's search (a far-away code is only a few pixels there).
    regions = find_regions(small, longest=max(small.shape))
    (_, _), (w, h), _ = regions[0].box if regions else ((0, 0), (0, 0), 0)
    if not regions or w * h > TEXTURE * small.size:
        # Nothing, or "busy" all over (a grainy surface, a page of print): no code-like spot.
        return PhotoStats(paper, noise, 0.0, 0.0, 0.0, 0)
    best = regions[0]
    side = max(w, h) / max(small.shape)
    code, _, _ = cut_level(small, best, margin=0.0)
    spread = blur_of_image(code.image) / scale
    return PhotoStats(paper, noise, _glare(small, best, code.image), spread, side, len(regions))


def _noise(image: np.ndarray) -> float:
    """Pixel noise: the median response to a kernel that cancels flat areas and ramps
    (Immerkaer's), which edges hardly move; 6 is the kernel's gain for white noise."""
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    response = np.abs(cv2.filter2D(image.astype(np.float32), -1, kernel))
    return float(np.median(response)) / (0.6745 * 6)


def _paper(image: np.ndarray, size: int) -> np.ndarray:
    """The paper's brightness round every pixel: the local maximum over more than a bar."""
    return cv2.dilate(image, cv2.getStructuringElement(cv2.MORPH_RECT, (size | 1, size | 1)))


def _glare(image: np.ndarray, region: Region, code: np.ndarray) -> float:
    """How much clipped white lies on or right beside the code (over the code's area), when
    the paper of the code itself goes from clipped white to far darker: a reflection, not
    a well-lit label (whose paper is clipped evenly). A glare spot over the middle of a code
    splits it in two regions: "beside" counts too."""
    paper = _paper(code, max(3, min(code.shape) // 8))
    if float(np.percentile(paper, 90)) < CLIPPED or float(np.percentile(paper, 10)) >= GLARE_CONTRAST * 255:
        return 0.0
    (cx, cy), (w, h), angle = region.box
    near = np.zeros(image.shape, np.uint8)
    cv2.fillConvexPoly(near, cv2.boxPoints(((cx, cy), (w + max(w, h), h + max(w, h)), angle)).astype(np.int32), 1)
    clipped = (cv2.GaussianBlur(image, (5, 5), 0) >= CLIPPED) & near.astype(bool)
    return float(clipped.sum()) / max(w * h, 1.0)


def problem_of(stats: PhotoStats) -> PhotoProblem:
    if stats.paper < DARK_PAPER or stats.paper < DARK_SNR * stats.noise:
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
