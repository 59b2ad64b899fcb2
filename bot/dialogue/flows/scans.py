"""What a person scanned: a photo of a barcode, an image file, or digits typed
by a handheld scanner. GS1 codes also carry lot and expiry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.catalog.lookup import gs1_date
from domain.errors import InvalidInput, N_

from ..turn import Turn


@dataclass(frozen=True)
class Scan:
    code: str  # what identifies the product or bin (GTIN for GS1 codes)
    lot: str = ""
    expiry: date | None = None
    raw: str = ""


def _from_gs1(gs1: dict, raw: str) -> Scan:
    code = gs1.get("01") or gs1.get("02") or gs1.get("00") or raw
    return Scan(code=code, lot=gs1.get("10", ""), expiry=gs1_date(gs1.get("17") or gs1.get("15")), raw=raw)


def _from_text(text: str) -> Scan:
    text = text.strip()
    try:
        from domain.scanning import parse_scanned_text  # GS1 element strings typed by a scanner
    except ImportError:
        return Scan(code=text, raw=text)
    decoded = parse_scanned_text(text)
    if decoded is not None and getattr(decoded, "gs1", None):
        return _from_gs1(decoded.gs1, text)
    return Scan(code=getattr(decoded, "text", None) or text, raw=text)


def scans_of(turn: Turn) -> list[Scan]:
    """Every code in this message, best first. Raises a clear error for a photo without a readable code."""
    inbound = turn.inbound
    if inbound.kind == "text":
        text = (inbound.text or "").strip()
        return [_from_text(text)] if text else []
    if inbound.kind not in ("photo", "document") or inbound.data is None:
        return []
    decode = turn.services.decode_image
    if decode is None:
        raise InvalidInput(N_("I can't read barcode photos on this server. Please type the code."))
    limits = turn.services.settings.limits
    try:
        codes = decode(inbound.data, max_bytes=limits.photo_bytes, max_pixels=limits.photo_pixels)
    except TypeError:  # a decoder without limit arguments
        codes = decode(inbound.data)
    if not codes:
        raise InvalidInput(N_("I found no barcode in that photo. Hold the phone closer, keep the label flat and sharp, "
                              "avoid glare — or type the digits under the barcode."))
    return [_from_gs1(c.gs1, c.text) if getattr(c, "gs1", None) else Scan(code=c.text, raw=c.text) for c in codes]


def one_scan(turn: Turn) -> Scan:
    found = scans_of(turn)
    if not found:
        raise InvalidInput(N_("Scan the barcode (or send a photo of it), or type the code."))
    return found[0]
