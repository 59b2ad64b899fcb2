"""A label round a can or bottle, flattened again.

On a cylinder seen from the front, a point at arc length t from the middle
of the symbol shows at x = R sin(t / R): modules get narrower towards the
sides. PDF417 and Aztec readers do not tolerate that. We do not know R, so
we try a few: the symbol spanning +-30 to +-70 degrees of the cylinder, every
10 degrees (a flattening 5 degrees off still reads), which covers a code on a
drinks can as well as a wide label on a bottle; the commonest first.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

HALF_ARCS = (50, 40, 60, 30, 70)  # degrees of the cylinder each half of the symbol covers


def flatten(image: np.ndarray, half_width: float, half_arc_deg: float, vertical: bool = False) -> np.ndarray:
    """Unrolls a symbol centred in `image`, `half_width` pixels to each side of the middle
    (across the cylinder's axis; the axis is vertical in the image unless `vertical`)."""
    if vertical:
        return np.ascontiguousarray(flatten(image.T, half_width, half_arc_deg).T)
    h, w = image.shape
    radius = half_width / math.sin(math.radians(half_arc_deg))
    middle = w / 2
    # the window's edges, as far as the cylinder's silhouette allows
    reach = min(w / 2, radius * 0.999)
    half_flat = radius * math.asin(reach / radius)
    out_w = max(8, int(2 * half_flat))
    t = np.arange(out_w, dtype=np.float64) - half_flat
    xs = (middle + radius * np.sin(t / radius)).astype(np.float32)
    map_x = np.ascontiguousarray(np.broadcast_to(xs, (h, out_w)))
    map_y = np.ascontiguousarray(np.broadcast_to(np.arange(h, dtype=np.float32)[:, None], (h, out_w)))
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
