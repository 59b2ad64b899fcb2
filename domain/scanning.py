"""What a scan yields, the port that decodes photos, and the GS1 rules.

A code reaches the bot in two ways: a photo (decoded by an adapter behind the
`BarcodeDecoder` port) or text typed into the chat by a handheld scanner
working as a keyboard. Both end up as a `DecodedCode`.

GS1 element strings are parsed by biip; this module adds what biip leaves to
its caller: check digits of every GTIN/SSCC/GLN (biip only reports them),
the parenthesised human-readable form, and the separators keyboard-wedge
scanners send in place of FNC1/GS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from biip import ParseConfig, ParseError, parse as biip_parse
from biip.gs1_application_identifiers import GS1ApplicationIdentifier

from domain.errors import N_, InvalidInput

# Symbology names of the scan contract.
FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "Code93", "ITF", "Codabar",
           "QRCode", "DataMatrix", "PDF417", "Aztec")

GS = "\x1d"  # the group separator that stands for FNC1 inside an element string

# AIM symbology identifiers that announce GS1 data, and the format each means.
GS1_IDENTIFIERS = {"]C1": "Code128", "]e0": "DataMatrix", "]d2": "DataMatrix", "]Q3": "QRCode",
                   "]J1": "DataMatrix", "]z1": "Aztec", "]L1": "PDF417"}
# Identifiers a scanner may prefix to plain (non-GS1) data -> format.
PLAIN_IDENTIFIERS = {"]C0": "Code128", "]A0": "Code39", "]G0": "Code93", "]I0": "ITF", "]I1": "ITF",
                     "]F0": "Codabar", "]Q1": "QRCode", "]d1": "DataMatrix", "]L2": "PDF417",
                     "]z0": "Aztec", "]E4": "EAN8"}

# AIs whose value carries a GS1 mod-10 check digit.
_CHECKED_AIS = {"00", "01", "02", "410", "411", "412", "413", "414", "415", "416", "417"}


@dataclass(frozen=True)
class DecodedCode:
    """One code read from a photo or typed by a scanner.

    format: a name of FORMATS; text: the payload (GS1 symbols: symbology
    identifier + element string with GS separators); content: what a person
    reads (GS1: "(01)...(10)..."); gs1: AI -> value when the code carries GS1
    element strings (EAN/UPC as AI 01 with the 14-digit GTIN), else None.
    """

    format: str
    text: str
    content: str
    gs1: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text, "content": self.content, "gs1": self.gs1}

    @property
    def gtin(self) -> str | None:
        """The 14-digit GTIN this code names, if any."""
        return (self.gs1 or {}).get("01") or (self.gs1 or {}).get("02")


class BarcodeDecoder(Protocol):
    """Port: image bytes -> the codes found, best first; [] when none.

    Raises InvalidInput when the bytes are not an image or exceed the limits.
    """

    def decode(self, data: bytes) -> list[DecodedCode]: ...


class PhotoProblem(str, Enum):
    """Why a photo gave no code, as far as simple image statistics tell."""

    DARK = "dark"            # too little light: the code drowns in noise
    GLARE = "glare"          # a reflection washes out part of the code
    BLUR = "blur"            # out of focus or shaken
    SMALL = "small"          # the code is too far away: too few pixels per bar
    NO_CODE = "no_code"      # nothing in the photo looks like a barcode
    UNREADABLE = "unreadable"  # a code-like area that none of the above explains


# What the person who took the photo is told, and what to do about it.
PHOTO_PROBLEM_ADVICE = {
    PhotoProblem.DARK: N_("The photo is too dark to read the barcode. Turn on more light or the phone's flash and take "
                          "it again — or type the digits under the barcode."),
    PhotoProblem.GLARE: N_("There is glare on the barcode: light reflects off it. Tilt the phone or the label a little "
                           "so the shine is off the code, and take it again — or type the digits under the barcode."),
    PhotoProblem.BLUR: N_("The photo is blurred. Hold the phone still, tap the barcode on the screen so it focuses, "
                          "and take it again — or type the digits under the barcode."),
    PhotoProblem.SMALL: N_("The barcode is too far away: it is too small in the photo. Move closer so the barcode "
                           "fills about half the picture, and take it again — or type the digits under the barcode."),
    PhotoProblem.NO_CODE: N_("I see no barcode in that photo. Point the camera at the barcode and take it again "
                             "— or type the digits under the barcode."),
    PhotoProblem.UNREADABLE: N_("I can see a barcode in that photo but cannot read it. Hold the phone closer, keep "
                                "the label flat and sharp, make sure nothing covers the code and there is no glare "
                                "on it — or type the digits under the barcode."),
}


# ---- check digits and GTIN forms -------------------------------------------------

def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body` (all digits but the check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def has_valid_check_digit(digits: str) -> bool:
    return len(digits) >= 2 and digits.isdigit() and gs1_check_digit(digits[:-1]) == int(digits[-1])


def expand_upce(upce: str) -> str:
    """UPC-E (8 digits: number system, 6 data, check) -> the 12-digit UPC-A."""
    if len(upce) != 8 or not upce.isdigit() or upce[0] not in "01":
        raise InvalidInput(N_("{code} is not a UPC-E code"), code=upce)
    ns, d, check = upce[0], upce[1:7], upce[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def compress_upca(upca: str) -> str | None:
    """A 12-digit UPC-A -> its 8-digit UPC-E form when it has one (the zero-suppression rules), else None."""
    if len(upca) != 12 or not upca.isdigit() or upca[0] not in "01":
        return None
    ns, m, p, check = upca[0], upca[1:6], upca[6:11], upca[11]
    for data in (m[0:2] + p[2:5] + m[2], m[0:3] + p[3:5] + "3", m[0:4] + p[4] + "4", m[0:5] + p[4]):
        candidate = ns + data + check
        if expand_upce(candidate) == upca:
            return candidate
    return None


def gtin14(digits: str) -> str | None:
    """A GTIN-8/12/13/14 (or UPC-E) with a valid check digit -> its 14-digit form, else None."""
    if not digits.isdigit():
        return None
    if len(digits) == 8 and digits[0] in "01" and not has_valid_check_digit(digits):
        # Not a valid EAN-8; maybe a UPC-E whose check digit belongs to the UPC-A.
        try:
            digits = expand_upce(digits)
        except InvalidInput:
            return None
    if len(digits) not in (8, 12, 13, 14) or not has_valid_check_digit(digits):
        return None
    return digits.zfill(14)


def gtin_forms(gtin: str) -> list[str]:
    """Every way the same 14-digit GTIN may be written in a barcodes table:
    GTIN-14, EAN-13, UPC-A and EAN-8 (dropping leading zeros), then UPC-E."""
    forms = [gtin]
    for length in (13, 12, 8):
        if gtin[: 14 - length] == "0" * (14 - length):
            forms.append(gtin[14 - length:])
    upce = compress_upca(gtin[2:]) if gtin.startswith("00") else None
    if upce and upce not in forms:
        forms.append(upce)
    return forms


# ---- GS1 element strings ---------------------------------------------------------

def parse_gs1(element_string: str, symbology_identifier: str = "]C1") -> dict[str, str]:
    """A GS1 element string (FNC1 as GS) -> {AI: value}, every check digit verified.

    Raises InvalidInput when the data is not a valid GS1 message.
    """
    data = element_string.lstrip(GS)
    if not data:
        raise InvalidInput(N_("empty GS1 data"))
    try:
        result = biip_parse(symbology_identifier + data, config=ParseConfig(separator_chars=(GS,)))
    except ParseError as exc:
        raise InvalidInput(N_("not GS1 data: {reason}"), reason=str(exc)) from exc
    message = result.gs1_message
    if message is None:
        raise InvalidInput(N_("not GS1 data: {reason}"), reason=result.gs1_message_error or "no element strings")
    out: dict[str, str] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error or (_checked(ai) and not has_valid_check_digit(element.value)):
            raise InvalidInput(N_("bad check digit in GS1 ({ai}) {value}"), ai=ai, value=element.value)
        out[ai] = element.value
    return out


def _checked(ai: str) -> bool:
    return ai in _CHECKED_AIS


def gs1_hri(gs1: dict[str, str]) -> str:
    """{AI: value} -> the human-readable "(01)...(10)..." form."""
    return "".join(f"({ai}){value}" for ai, value in gs1.items())


def gs1_element_string(gs1: dict[str, str]) -> str:
    """{AI: value} -> the element string, with GS only where a variable-length field needs one."""
    out = []
    items = list(gs1.items())
    for i, (ai, value) in enumerate(items):
        out.append(ai + value)
        if i < len(items) - 1 and GS1ApplicationIdentifier.extract(ai).separator_required:
            out.append(GS)
    return "".join(out)


_PAREN_AI = re.compile(r"\((\d{2,4})\)")


def parse_gs1_hri(text: str) -> dict[str, str]:
    """"(01)0950...(10)LOT" -> {AI: value}, checked as parse_gs1 does."""
    parts = _PAREN_AI.split(text.strip())
    if parts[0].strip() or len(parts) < 3:
        raise InvalidInput(N_("not GS1 data: {reason}"), reason="expected (AI)value pairs")
    # GS after every field: a separator after a fixed-length field is harmless.
    element_string = GS.join(ai + value for ai, value in zip(parts[1::2], parts[2::2]))
    return parse_gs1(element_string)


def gs1_for_gtin(digits: str, fmt: str | None = None) -> dict[str, str] | None:
    """EAN/UPC payload -> {"01": GTIN-14}, or None when the check digit is wrong.

    An 8-digit UPC-E must say so (fmt="UPCE"): it may also pass as an EAN-8."""
    if fmt == "UPCE":
        try:
            digits = expand_upce(digits)
        except InvalidInput:
            return None
    gtin = gtin14(digits)
    return {"01": gtin} if gtin else None


def one_label(codes: list[DecodedCode]) -> dict[str, str] | None:
    """Several GS1 symbols read from one photo -> their data together, when they are one
    label's: a logistics label carries the item (GTIN, expiry, lot) and the pallet's
    SSCC in separate symbols, a product may show the same GTIN as EAN-13 and in a
    GS1 DataMatrix. None when any code is not GS1 or two disagree on an AI (two
    different items, or two lots: which one was meant is for the person to say)."""
    merged: dict[str, str] = {}
    for code in codes:
        if not code.gs1:
            return None
        for ai, value in code.gs1.items():
            if merged.setdefault(ai, value) != value:
                return None
    if "01" in merged and "02" in merged and merged["01"] != merged["02"]:
        return None
    return merged


# ---- what a handheld scanner types -----------------------------------------------

# Ways keyboard-wedge scanners spell the FNC1/GS separator they cannot type.
_TYPED_GS = ("<GS>", "{GS}", "[GS]", "<FNC1>", "{FNC1}", "^]", "\\x1d", "␝")
_IDENTIFIER = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


def parse_scanned_text(raw: str) -> DecodedCode:
    """Text typed by a handheld scanner (or a person) -> a DecodedCode.

    Understands bare digits (EAN-8/13, UPC-A/E, GTIN-14, SSCC-18), GS1 element
    strings with a leading symbology identifier or FNC1 and GS separators
    (also spelled <GS>, ^] ...), the parenthesised form "(01)...(17)...", and
    any other text (a SKU, a location code). The format is the symbology the
    identifier names, else the usual carrier of such data. Raises InvalidInput
    on empty input or GS1 data whose structure or check digits are wrong.
    """
    text = raw.strip(" \t\r\n")  # not str.strip(): it would eat a leading GS
    for spelling in _TYPED_GS:
        text = text.replace(spelling, GS)
    if not text.strip(GS):
        raise InvalidInput(N_("nothing was scanned"))

    identifier = text[:3] if _IDENTIFIER.match(text) else ""
    body = text[len(identifier):]

    if identifier in GS1_IDENTIFIERS or body.startswith(GS):
        gs1 = parse_gs1(body, identifier if identifier in GS1_IDENTIFIERS else "]C1")
        fmt = GS1_IDENTIFIERS.get(identifier, "Code128")
        return DecodedCode(fmt, (identifier or "]C1") + body.lstrip(GS), gs1_hri(gs1), gs1)
    if body.startswith("("):
        gs1 = parse_gs1_hri(body)
        return DecodedCode("Code128", "]C1" + gs1_element_string(gs1), gs1_hri(gs1), gs1)

    body = body.strip(GS)
    if identifier in ("]E0", "]E4", "") and body.isdigit():
        digits = _typed_digits(body, identifier)
        if digits is not None:
            return digits
    fmt = PLAIN_IDENTIFIERS.get(identifier, "Code128")
    return DecodedCode(fmt, body, body, None)


def _typed_digits(body: str, identifier: str) -> DecodedCode | None:
    n = len(body)
    if n == 18 and has_valid_check_digit(body):
        gs1 = {"00": body}  # an SSCC typed without its AI
        return DecodedCode("Code128", "]C100" + body, gs1_hri(gs1), gs1)
    if n == 8 and identifier != "]E4" and body[0] in "01" and not has_valid_check_digit(body):
        gtin = gtin14(body)
        return DecodedCode("UPCE", body, body, {"01": gtin}) if gtin else None
    gtin = gtin14(body) if n in (8, 12, 13, 14) else None
    if gtin is None:
        return None
    fmt = {8: "EAN8", 12: "UPCA", 13: "EAN13", 14: "ITF"}[n]
    if n == 13 and body.startswith("0"):
        fmt, body = "UPCA", body[1:]
    return DecodedCode(fmt, body, body, {"01": gtin})
