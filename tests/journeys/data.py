"""What the journeys find in the demo company, and the stock they set up for themselves.

The demo's quantities depend on the day it is seeded (its year of orders follows the season), so
a journey that needs stock in a bin puts it there itself: a bin of zone J (which the demo does not
have) with an opening quantity booked through the ledger, as the demo books its own."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from domain.inventory.ledger import post_move, virtual_location
from domain.models import Barcode, Location, LocationKind, Product, StockMove, StockQuant, Warehouse


async def product(app, sku: str) -> Product:
    return await app.one(select(Product).where(Product.sku == sku))


async def ean(app, sku: str) -> str:
    """The code printed on one unit of the product (what a scanner reads)."""
    return await app.one(select(Barcode.code).join(Product, Product.id == Barcode.product_id)
                         .where(Product.sku == sku, Barcode.pack_qty == 1))


async def location(app, code: str, warehouse: str = "MAIN") -> Location:
    return await app.one(select(Location).join(Warehouse, Warehouse.id == Location.warehouse_id)
                         .where(Warehouse.code == warehouse, Location.code == code))


async def on_hand(app, sku: str, bin_code: str, warehouse: str = "MAIN") -> Decimal:
    return Decimal(await app.one(
        select(func.coalesce(func.sum(StockQuant.quantity), 0))
        .join(Location, Location.id == StockQuant.location_id).join(Warehouse, Warehouse.id == Location.warehouse_id)
        .join(Product, Product.id == StockQuant.product_id)
        .where(Warehouse.code == warehouse, Location.code == bin_code, Product.sku == sku)))


async def moves(app) -> int:
    return await app.one(select(func.count()).select_from(StockMove))


async def stocked_bin(app, code: str, contents: dict[str, int], warehouse: str = "MAIN") -> Location:
    """A storage bin `code` (zone J, made if missing) holding `contents` (SKU -> quantity) on top of
    whatever it holds; returns it."""
    async def arrange(s):
        wh = (await s.exec(select(Warehouse).where(Warehouse.code == warehouse))).one()
        loc = (await s.exec(select(Location).where(Location.warehouse_id == wh.id, Location.code == code))).first()
        if loc is None:
            zone, aisle, level = code.split("-")
            loc = Location(warehouse_id=wh.id, code=code, kind=LocationKind.storage, zone=zone, aisle=aisle, level=level,
                           barcode=f"{warehouse}-{code}")
            s.add(loc)
            await s.flush()
        adjustment = await virtual_location(s, LocationKind.adjustment)
        for sku, qty in contents.items():
            item = (await s.exec(select(Product).where(Product.sku == sku))).one()
            await post_move(s, product_id=item.id, from_location=adjustment, to_location=loc, quantity=qty,
                            reason="opening", document="JOURNEY")
        await s.commit()
        await s.refresh(loc)
        return loc
    return await app.db(arrange)
