"""resolve_code / resolve_location against a real, migrated database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.catalog.lookup import resolve_code, resolve_location
from domain.errors import InvalidInput
from domain.models.catalog import Barcode, Product
from domain.models.inventory import Location, Warehouse
from domain.scanning import DecodedCode


@pytest.fixture
async def catalog(session):
    coffee = Product(sku="COF-1KG", name="Coffee beans 1 kg")
    cola = Product(sku="COLA-033", name="Cola can 0.33 l")
    gum = Product(sku="GUM-10", name="Chewing gum")
    tea = Product(sku="TEA-20", name="Tea 20 bags")
    session.add_all([coffee, cola, gum, tea])
    await session.flush()
    session.add_all([
        Barcode(code="4006381333931", product_id=coffee.id),  # EAN-13 as printed
        Barcode(code="14006381333938", product_id=coffee.id, pack_qty=Decimal(6)),  # carton GTIN-14
        Barcode(code="00036000291452", product_id=cola.id),  # UPC-A stored as GTIN-14
        Barcode(code="96385074", product_id=gum.id),  # EAN-8
        Barcode(code="06543217", product_id=tea.id),  # UPC-E as printed
    ])
    wh = Warehouse(code="MAIN", name="Main")
    session.add(wh)
    await session.flush()
    session.add_all([Location(warehouse_id=wh.id, code="A-01-02", barcode="LOC0001"),
                     Location(warehouse_id=wh.id, code="B-07")])
    await session.commit()
    return {"coffee": coffee.id, "cola": cola.id, "gum": gum.id, "tea": tea.id, "wh": wh.id}


@pytest.mark.parametrize("typed, product, pack", [
    ("4006381333931", "coffee", 1),
    ("04006381333931", "coffee", 1),  # GTIN-14 form of the same EAN-13
    ("14006381333938", "coffee", 6),  # the carton
    ("]C10114006381333938", "coffee", 6),
    ("036000291452", "cola", 1),  # UPC-A found under its GTIN-14
    ("0036000291452", "cola", 1),
    ("96385074", "gum", 1),
    ("00000096385074", "gum", 1),
    ("06543217", "tea", 1),
    ("00065100004327", "tea", 1),  # the UPC-E's GTIN-14 finds the 8-digit barcode
    ("cof-1kg", "coffee", 1),  # SKU typed by hand, any case
])
async def test_typed_codes_find_the_product_and_pack(session, catalog, typed, product, pack):
    found = await resolve_code(session, typed)
    assert found is not None
    assert found.product.id == catalog[product] and found.pack_qty == Decimal(pack)


async def test_gs1_label_gives_lot_and_expiry(session, catalog):
    found = await resolve_code(session, "(01)14006381333938(10)L-77(17)270600")
    assert found.product.id == catalog["coffee"] and found.pack_qty == 6
    assert found.lot == "L-77" and found.expiry == date(2027, 6, 30)  # day 00: the month's last day


async def test_decoded_photo_code_resolves(session, catalog):
    code = DecodedCode("EAN13", "4006381333931", "4006381333931", {"01": "04006381333931"})
    assert (await resolve_code(session, code)).via == "barcode"


async def test_unknown_or_bad_codes(session, catalog):
    assert await resolve_code(session, "4006381333948") is None  # valid check digit, unknown
    assert await resolve_code(session, "4006381333932") is None  # wrong check digit: no GTIN match
    with pytest.raises(InvalidInput):
        await resolve_code(session, "(01)14006381333939")
    with pytest.raises(InvalidInput):
        await resolve_code(session, " ")


async def test_locations_by_barcode_or_code(session, catalog):
    assert (await resolve_location(session, "LOC0001")).code == "A-01-02"
    assert (await resolve_location(session, "b-07", warehouse_id=catalog["wh"])).code == "B-07"
    assert await resolve_location(session, "C-99") is None
