"""Photos that give no code, each for one reason a picker can fix."""
from __future__ import annotations

import cv2
import numpy as np

from .images import jpeg, page, symbol

EAN = "4006381333931"


def _code_page() -> tuple[np.ndarray, np.ndarray]:
    sym = symbol(EAN, "EAN13", scale=4)
    return page(sym), sym


def dark() -> bytes:
    """Hardly any light: the code is a few grey levels under sensor noise."""
    base, _ = _code_page()
    rng = np.random.default_rng(7)
    return jpeg(np.clip(base * 0.05 + rng.normal(0, 8, base.shape) + 8, 0, 255).astype(np.uint8))


def glared() -> bytes:
    """A reflection washes out the middle of the code; the rest of the photo is dim."""
    base, sym = _code_page()
    h, w = base.shape
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = 60 + sym.shape[1] / 2, h / 2
    spot = np.exp(-(((xx - cx) / (0.2 * sym.shape[1])) ** 2 + ((yy - cy) / (0.6 * sym.shape[0])) ** 2) / 2)
    return jpeg(np.clip(base * 0.6 + 300 * spot, 0, 255).astype(np.uint8))


def blurred() -> bytes:
    """Far out of focus: edges spread over many pixels, thin bars merge."""
    base, _ = _code_page()
    return jpeg(cv2.GaussianBlur(base, (0, 0), 7))


def without_code() -> bytes:
    """A cardboard box: soft shading and one edge, nothing like a code."""
    rng = np.random.default_rng(7)
    box = np.full((960, 1280), 150, np.uint8)
    cv2.rectangle(box, (200, 150), (1100, 800), 190, -1)
    box = cv2.GaussianBlur(box, (0, 0), 3)
    return jpeg(np.clip(box + rng.normal(0, 3, box.shape), 0, 255).astype(np.uint8))
