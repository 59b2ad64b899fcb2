"""Bytes from a chat -> a grayscale pixel array, within the configured limits.

The limits are checked before any pixel is decoded: the byte size first, then
the dimensions from the image header, so a 30 000 x 30 000 PNG costs nothing.
"""
from __future__ import annotations

import io
import struct
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from domain.errors import N_, InvalidInput

# Same defaults as settings.limits; callers pass the configured values.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
MAX_SIDE = 65535  # zxing-cpp reads nothing wider or taller (it raises)


def check_byte_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvalidInput(N_("the image is too large: {size} bytes, the limit is {limit} bytes"),
                           size=size, limit=max_bytes)


def load_gray(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decodes an image (JPEG, PNG, WebP, BMP, GIF, TIFF...) to an 8-bit grayscale array.

    Raises InvalidInput when `data` is empty, not an image, damaged, or over a limit.
    """
    if not data:
        raise InvalidInput(N_("the file is empty, not an image"))
    check_byte_size(len(data), max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise InvalidInput(N_("the file is not an image")) from exc
    except Image.DecompressionBombError as exc:
        raise InvalidInput(N_("the image is too large: the limit is {limit} pixels"), limit=max_pixels) from exc
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        raise InvalidInput(N_("the image is damaged and cannot be read")) from exc
    width, height = image.size
    if width * height > max_pixels:
        raise InvalidInput(N_("the image is too large: {width}x{height} = {pixels} pixels, the limit is {limit} pixels"),
                           width=width, height=height, pixels=width * height, limit=max_pixels)
    if width == 0 or height == 0:
        raise InvalidInput(N_("the image is empty"))
    if max(width, height) > MAX_SIDE:
        raise InvalidInput(N_("the image is too large: {width}x{height} pixels, a side may be at most {limit} pixels"),
                           width=width, height=height, limit=MAX_SIDE)
    try:
        # JPEG decodes straight to gray (skips the colour conversion: faster).
        image.draft("L", image.size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                # A transparent background would turn black: put it on white paper.
                rgba = image.convert("RGBA")
                paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(paper, rgba)
            gray = image.convert("L")
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError) as exc:
        raise InvalidInput(N_("the image is damaged and cannot be read")) from exc
    return np.asarray(gray)
