"""Barcode photos: the zxing-cpp adapter behind domain.scanning.BarcodeDecoder."""
from .diagnosis import explain_image, photo_problem
from .images import load_gray
from .zxing_decoder import ZxingDecoder, decode_gray, decode_image

__all__ = ["ZxingDecoder", "decode_gray", "decode_image", "explain_image", "load_gray", "photo_problem"]
