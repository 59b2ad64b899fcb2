"""What a person scanned: a photo of a barcode, an image file, or digits typed
by a handheld scanner. GS1 codes also carry lot and expiry.

A photo may hold several codes. The symbols of one GS1 label (item, lot and
expiry, the pallet's SSCC) count as one scan with all their data; codes that
name different things make the bot ask which one is meant, with a button per
code, and the answer goes on as if that code had been typed.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date

from domain.catalog.lookup import gs1_date
from domain.errors import InvalidInput, N_
from domain.scanning import PHOTO_PROBLEM_ADVICE, DecodedCode, PhotoProblem, gs1_hri, one_label

from ... import metrics
from ..messages import Button
from ..turn import Turn

CHOICES = 6  # buttons offered at most; more codes than that in one photo is a shelf, not a label
_CHOICE_KEYS = ("scan_choices", "scan_asked_at")


@dataclass(frozen=True)
class Scan:
    code: str  # what identifies the product or bin (GTIN for GS1 codes)
    lot: str = ""
    expiry: date | None = None
    raw: str = ""  # the code as a person reads it; typed back, it gives the same scan


def _from_gs1(gs1: dict, raw: str) -> Scan:
    code = gs1.get("01") or gs1.get("02") or gs1.get("00") or raw
    return Scan(code=code, lot=gs1.get("10", ""), expiry=gs1_date(gs1.get("17") or gs1.get("15")), raw=raw)


def _from_text(text: str) -> Scan:
    text = text.strip()
    from domain.scanning import parse_scanned_text  # GS1 element strings typed by a scanner
    decoded = parse_scanned_text(text)
    if decoded is not None and getattr(decoded, "gs1", None):
        return _from_gs1(decoded.gs1, text)
    return Scan(code=getattr(decoded, "text", None) or text, raw=text)


def _from_decoded(code: DecodedCode) -> Scan:
    if code.gs1:
        return _from_gs1(code.gs1, code.content if code.content.startswith("(") else code.text)
    return Scan(code=code.text, raw=code.text)


def scans_from_photo(codes: list[DecodedCode]) -> list[Scan]:
    """The codes a photo gave -> what was scanned: one scan for the symbols of one GS1
    label, else one per code (the same code twice only once)."""
    if len(codes) > 1:
        label = one_label(codes)
        if label is not None:
            return [_from_gs1(label, gs1_hri(label))]
    scans: list[Scan] = []
    for code in codes:
        scan = _from_decoded(code)
        if all(s.code != scan.code or s.lot != scan.lot for s in scans):
            scans.append(scan)
    return scans


@dataclass(frozen=True)
class DecodedPhoto:
    """What decoding a photo gave: its codes, why none were found, or the error decoding raised."""
    codes: list[DecodedCode]
    problem: PhotoProblem | None = None
    error: Exception | None = None


# Inbound.meta key: the photo decoded before its message's transaction (Dialogue._decode_early)
DECODED_KEY = "decoded_photo"


async def decode_photo(services, data: bytes) -> DecodedPhoto:
    """Decodes in a thread (a hard photo takes up to a second of CPU: the event loop stays free);
    when no code is found, says why (too dark, glare, blurred...)."""
    limits = services.settings.limits
    try:
        codes = await asyncio.to_thread(services.decode_image, data, max_bytes=limits.photo_bytes,
                                        max_pixels=limits.photo_pixels)
        if codes:
            return DecodedPhoto(codes)
        problem = PhotoProblem.NO_CODE  # without a diagnosis, claim no more than that nothing was read
        if services.explain_photo is not None:
            problem = await asyncio.to_thread(services.explain_photo, data, max_bytes=limits.photo_bytes,
                                              max_pixels=limits.photo_pixels)
    except Exception as exc:  # raised where the handler reads the photo, as if decoded there
        return DecodedPhoto([], error=exc)
    return DecodedPhoto([], problem)


async def scans_of(turn: Turn) -> list[Scan]:
    """Every code in this message, best first. Raises a clear error for a photo without a readable code."""
    inbound = turn.inbound
    if inbound.kind == "text":
        text = (inbound.text or "").strip()
        return [_from_text(text)] if text else []
    if inbound.kind not in ("photo", "document") or inbound.data is None:
        return []
    if turn.services.decode_image is None:
        raise InvalidInput(N_("I can't read barcode photos on this server. Please type the code."))
    photo = inbound.meta.get(DECODED_KEY) or await decode_photo(turn.services, inbound.data)
    if photo.error is not None:
        raise photo.error
    metrics.BARCODE_DECODES.labels("found" if photo.codes else "none").inc()
    if not photo.codes:
        raise InvalidInput(PHOTO_PROBLEM_ADVICE[photo.problem])
    return scans_from_photo(photo.codes)


async def lot_of(turn: Turn) -> tuple[str, date | None]:
    """The lot printed on the goods, typed or scanned, and the expiry a GS1 code carries with it."""
    scans = await scans_of(turn)
    scan = scans[0] if scans else None
    if scan is None or not (scan.lot or scan.raw.strip()):
        raise InvalidInput(N_("Type the lot number printed on the goods."))
    return (scan.lot or scan.raw).strip()[:64], scan.expiry


async def one_scan(turn: Turn) -> Scan | None:
    """The one code this message gives. None when a photo held several codes: the person
    has been asked which one, and the handler must stop there (nothing else changed)."""
    found = await scans_of(turn)
    if not found:
        raise InvalidInput(N_("Scan the barcode (or send a photo of it), or type the code."))
    if len(found) > 1 and turn.conv.step:
        _ask_which(turn, found)
        return None
    if any(key in turn.state for key in _CHOICE_KEYS):
        turn.conv.data = {k: v for k, v in turn.state.items() if k not in _CHOICE_KEYS}
    return found[0]


def _ask_which(turn: Turn, scans: list[Scan]) -> None:
    offered = scans[:CHOICES]
    turn.conv.data = {**turn.state, "scan_choices": [s.raw for s in offered],
                      "scan_asked_at": f"{turn.conv.flow}.{turn.conv.step}"}
    buttons = [[Button(_short(s.raw), f"scan:{i}")] for i, s in enumerate(offered)]
    turn.say(turn.tn("That photo has {n} different barcode. Which one do you mean?", "That photo has {n} different barcodes. Which one do you mean?", len(scans)), buttons)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


async def on_scan_choice(turn: Turn) -> None:
    """A button under "which one do you mean?": go on as if that code had been typed."""
    choices = turn.state.get("scan_choices") or []
    asked_at = turn.state.get("scan_asked_at")
    index = int(turn.args) if turn.args.isascii() and turn.args.isdigit() else -1
    # the router lets it through only as the latest buttons of the step that asked (flow_buttons "*")
    if not turn.conv.step or asked_at != f"{turn.conv.flow}.{turn.conv.step}" or not 0 <= index < len(choices):
        raise InvalidInput(N_("That button is no longer valid."))
    turn.conv.data = {k: v for k, v in turn.state.items() if k not in _CHOICE_KEYS}
    turn.inbound = replace(turn.inbound, kind="text", text=choices[index], callback=None)
    await turn.dialogue.handle_text(turn)
