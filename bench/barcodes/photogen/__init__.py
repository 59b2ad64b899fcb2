"""photogen: independent generator of phone-camera-style barcode photos (blind eval set)."""
from .gen import CONDITIONS, generate  # noqa: F401
from .symbols import SYMBOLOGIES  # noqa: F401
