"""Deconvolution of a lens out of focus (a disk), as the fallback does for blurred 2D codes."""
import math

import cv2
import numpy as np

from bot.barcodes.deblur import wiener_disk


def _disk(radius: float) -> np.ndarray:
    reach = int(math.ceil(radius))
    yy, xx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    disk = np.clip(radius + 0.5 - np.sqrt(xx * xx + yy * yy), 0, 1).astype(np.float32)
    return disk / disk.sum()


def test_a_disk_blur_is_undone_at_its_radius_and_not_at_a_wrong_one():
    rng = np.random.default_rng(5)
    modules = rng.integers(0, 2, (24, 24)).astype(np.float32)
    sharp = cv2.resize(modules * 200 + 30, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    sharp = cv2.copyMakeBorder(sharp, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=230)
    blurred = np.clip(cv2.filter2D(sharp, -1, _disk(4.0), borderType=cv2.BORDER_REPLICATE), 0, 255).astype(np.uint8)

    def error(image):
        return float(np.abs(image.astype(np.float32) - sharp).mean())

    restored = wiener_disk(blurred, 4.0, 0.01)
    assert error(restored) < 0.6 * error(blurred)
    assert error(restored) < error(wiener_disk(blurred, 1.5, 0.01))
