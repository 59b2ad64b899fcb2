"""Small synthetic photos for the tests: a symbol on a grey page, JPEG-encoded."""
from __future__ import annotations

import cv2
import numpy as np
import zxingcpp


def symbol(content: str, fmt: str, scale: int = 3, **options) -> np.ndarray:
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, fmt), **options)
    return np.asarray(barcode.to_image(scale=scale))


def page(*symbols: np.ndarray, size=(960, 1280), angle: float = 0.0) -> np.ndarray:
    """Symbols laid out left to right on a light page, optionally turned."""
    canvas = np.full(size, 225, np.uint8)
    x = 60
    for sym in symbols:
        y = (size[0] - sym.shape[0]) // 2
        canvas[y:y + sym.shape[0], x:x + sym.shape[1]] = sym
        x += sym.shape[1] + 80
    if angle:
        m = cv2.getRotationMatrix2D((size[1] / 2, size[0] / 2), angle, 1.0)
        canvas = cv2.warpAffine(canvas, m, (size[1], size[0]), borderValue=225)
    return canvas


def jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return buf.tobytes()
