"""Scanned or typed code -> the product (and pack quantity) or the location it names.

The barcodes table may hold a GTIN in any of its written forms (EAN-13
"4006381333931", GTIN-14 "04006381333931", UPC-A "036000291452", EAN-8, UPC-E)
while a scanner reports another form of the same number, so every equivalent
form is looked up at once. A pack barcode (GTIN-14 with an indicator digit,
an ITF-14 on a carton) carries its pack_qty. Failing a barcode, the code may
be the product's SKU. GS1 data (GS1-128, GS1 DataMatrix) gives its lot and
expiry alongside.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from domain.errors import N_, InvalidInput
from domain.models.catalog import Barcode, Product
from domain.models.inventory import Location
from domain.scanning import DecodedCode, gtin_forms, parse_scanned_text


@dataclass(frozen=True)
class Resolved:
    product: Product
    pack_qty: Decimal  # units of the product one scan of this code stands for
    matched: str  # the barcode or SKU found in the database
    via: str  # "barcode" or "sku"
    lot: str | None = None  # GS1 (10)
    expiry: date | None = None  # GS1 (17), or (15) best before
    serial: str | None = None  # GS1 (21)
    gs1: dict[str, str] = field(default_factory=dict)


def gs1_date(value: str | None) -> date | None:
    """YYMMDD per GS1: DD=00 means the month's last day; the century is chosen within -49/+50 years."""
    if not value or len(value) != 6 or not value.isdigit():
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    today = date.today()
    year = today.year // 100 * 100 + yy
    if year - today.year > 50:
        year -= 100
    elif today.year - year > 49:
        year += 100
    try:
        if dd == 0:
            dd = calendar.monthrange(year, mm)[1]
        return date(year, mm, dd)
    except ValueError:
        return None


_gs1_date = gs1_date


def code_candidates(code: DecodedCode) -> list[str]:
    """Every string the barcodes table may hold for this code, most specific first."""
    out: list[str] = []
    gtin = code.gtin
    if gtin:
        out += gtin_forms(gtin)
    for extra in (code.text, code.content):
        if extra not in out:
            out.append(extra)
    if code.gs1 and "00" in code.gs1:
        out.append(code.gs1["00"])
    return out


def _as_code(code: str | DecodedCode) -> DecodedCode:
    if isinstance(code, DecodedCode):
        return code
    return parse_scanned_text(code)


async def resolve_code(session, code: str | DecodedCode) -> Resolved | None:
    """The product a scanned/typed code names, with its pack quantity; None when unknown.

    `code` is what a scanner typed ("4006381333931", "]C10104006381333931...",
    "(01)...(10)LOT") or a DecodedCode from a photo. Raises InvalidInput for
    empty input or GS1 data with a wrong check digit.
    """
    decoded = _as_code(code)
    candidates = code_candidates(decoded)
    gs1 = decoded.gs1 or {}
    extras = dict(lot=gs1.get("10"), expiry=_gs1_date(gs1.get("17") or gs1.get("15")), serial=gs1.get("21"), gs1=dict(gs1))

    rows = (await session.exec(select(Barcode, Product).join(Product, Product.id == Barcode.product_id)
                               .where(Barcode.code.in_(candidates)))).all()
    if rows:
        rank = {c: i for i, c in enumerate(candidates)}
        barcode, product = min(rows, key=lambda r: rank[r[0].code])
        pack = barcode.pack_qty
        return Resolved(product, pack, barcode.code, "barcode", **extras)

    # Not a known barcode: maybe the SKU (typed, or printed as a Code128/QR label).
    skus = {decoded.text.lower()}
    if isinstance(code, str):
        skus.add(code.strip().lower())
    product = (await session.exec(select(Product).where(sa.func.lower(Product.sku).in_(skus)))).first()
    if product is not None:
        return Resolved(product, Decimal(1), product.sku, "sku", **extras)
    return None


async def resolve_location(session, code: str | DecodedCode, warehouse_id: int | None = None) -> Location | None:
    """The location a scanned/typed code names: its barcode first, then its code
    (case-insensitive; within `warehouse_id` when given). None when unknown or ambiguous."""
    text = code.text if isinstance(code, DecodedCode) else code.strip()
    if not text:
        raise InvalidInput(N_("nothing was scanned"))
    location = (await session.exec(select(Location).where(Location.barcode == text))).first()
    if location is not None:
        return location
    stmt = select(Location).where(sa.func.lower(Location.code) == text.lower())
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    found = (await session.exec(stmt.limit(2))).all()
    return found[0] if len(found) == 1 else None
