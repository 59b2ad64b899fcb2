"""The lot question of a receipt and of a count takes the lot typed as printed, or a GS1 label
scanned instead (its lot, with the expiry it carries)."""
from __future__ import annotations

from datetime import date

from sqlmodel import select

from domain.models import CountLine, Location, Product, StockQuant

from .conftest import BOSS, WORKER

GS1_LOT_AND_EXPIRY = "]C11727033110LOT-G1"  # AI 17 (expiry 2027-03-31), AI 10 (lot LOT-G1)


async def _lot_tracked(services) -> Product:
    async with services.uow() as uow:
        return (await uow.session.exec(select(Product).where(
            Product.lot_tracked.is_(True), Product.expiry_tracked.is_(True)).order_by(Product.id))).first()


async def test_receive_takes_the_typed_lot_then_asks_its_expiry(services, chat):
    p = await _lot_tracked(services)
    worker = chat(WORKER)
    await worker.text("/receive")
    assert "tracked by lot" in await worker.text(p.sku)
    asked = await worker.text("LOT-T1")
    assert "Expiry date of" in asked and "LOT-T1" in asked
    assert "How many?" in await worker.text("2027-03-31")


async def test_receive_takes_lot_and_expiry_from_a_label_scanned_at_the_lot_question(services, chat):
    p = await _lot_tracked(services)
    worker = chat(WORKER)
    await worker.text("/receive")
    await worker.text(p.sku)
    asked = await worker.text(GS1_LOT_AND_EXPIRY)
    assert "How many?" in asked and "LOT-G1" in asked and "2027-03-31" in asked


async def _bin_with_lots(services) -> tuple[Location, Product]:
    async with services.uow() as uow:
        return (await uow.session.exec(select(Location, Product)
                                       .join(StockQuant, StockQuant.location_id == Location.id)
                                       .join(Product, Product.id == StockQuant.product_id)
                                       .where(Product.lot_tracked.is_(True), Product.expiry_tracked.is_(True),
                                              Location.kind == "storage"))).first()


async def test_count_takes_the_typed_lot_then_its_expiry(services, chat):
    loc, p = await _bin_with_lots(services)
    boss = chat(BOSS)
    await boss.text(f"/count {loc.code}")
    await boss.text(p.sku)
    await boss.text("4")
    await boss.text("LOT-T3")
    await boss.text("31.03.2027")
    async with services.uow() as uow:
        line = (await uow.session.exec(select(CountLine).where(CountLine.lot == "LOT-T3"))).one()
    assert (line.counted_qty, line.expiry) == (4, date(2027, 3, 31))


async def test_count_records_the_lot_and_expiry_of_a_label_scanned_at_the_lot_question(services, chat):
    loc, p = await _bin_with_lots(services)
    boss = chat(BOSS)
    await boss.text(f"/count {loc.code}")
    await boss.text(p.sku)
    assert "lot" in await boss.text("4")
    await boss.text(GS1_LOT_AND_EXPIRY)
    async with services.uow() as uow:
        line = (await uow.session.exec(select(CountLine).where(CountLine.lot == "LOT-G1"))).one()
    assert (line.counted_qty, line.expiry) == (4, date(2027, 3, 31))

