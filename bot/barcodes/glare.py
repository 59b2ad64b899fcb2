"""Evening out glare and shadow across a cut-out code.

A specular reflection adds light to paper and bars alike, a shadow takes it away:
the bars keep some contrast against their own paper, but a threshold fitted to the
whole cut (or to CLAHE's coarse tiles) loses them. Stretching each pixel between the
local darkest and brightest levels, measured over a few modules, gives the bars
back wherever the reflection has not clipped them to white.
"""
from __future__ import annotations

import cv2
import numpy as np

MIN_RANGE = 12  # grey levels: flatter than this is paper (or clipped glare), not bars


def local_range(image: np.ndarray, window: int = 96) -> np.ndarray:
    """Each pixel stretched between the local dark and bright envelopes (windows of about a
    twenty-fourth of the cut with the default `window` of 96: wider than a module of any
    code that fills the cut). The envelopes are smooth, so they are worked out on a
    quarter-size copy."""
    h, w = image.shape
    small = cv2.resize(image, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(3, max(h, w) // window) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    top = cv2.resize(cv2.blur(cv2.dilate(small, kernel), (k, k)), (w, h), interpolation=cv2.INTER_LINEAR)
    bottom = cv2.resize(cv2.blur(cv2.erode(small, kernel), (k, k)), (w, h), interpolation=cv2.INTER_LINEAR)
    spread = np.maximum(cv2.subtract(top, bottom), MIN_RANGE).astype(np.float32)
    out = cv2.subtract(image, bottom).astype(np.float32) * (255.0 / spread)
    return np.clip(out, 0, 255).astype(np.uint8)
