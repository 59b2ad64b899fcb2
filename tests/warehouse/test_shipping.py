from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.documents.delivery_note import render_delivery_note
from bot.settings import Company
from domain.errors import Conflict, InvalidInput
from domain.inventory.picking import confirm_pick_quantity, scan_pick_bin, scan_pick_product, start_pick
from domain.inventory.reservations import reserve_order
from domain.inventory.shipping import delivery_note_data, pack_order, ship_order
from domain.inventory.stock import stock_level
from domain.models import PickStepKind, SalesOrder, SalesOrderLine, StockMove

from .conftest import add_stock, make_order


async def _pick_all(session, order, user):
    step = await start_pick(session, order, user)
    while step.expect != PickStepKind.done:
        step = await scan_pick_bin(session, step.pick_list_id, user, step.bin_code)
        step = await scan_pick_product(session, step.pick_list_id, user, step.sku)
        step = await confirm_pick_quantity(session, step.pick_list_id, user, step.quantity)


async def test_pack_ship_and_delivery_note(session, world):
    await add_stock(session, world, "MILK", "A-01-01", 4, lot="L7", expiry=date(2026, 12, 24))
    await add_stock(session, world, "WID", "B-03-01", 2)
    order = await make_order(session, world, "SO-20", [("MILK", 4), ("WID", 3)])
    await reserve_order(session, order)
    with pytest.raises(InvalidInput, match="only an order being picked"):
        await pack_order(session, order, world.worker)
    step = await start_pick(session, order, world.worker)
    with pytest.raises(Conflict, match="still has bins to pick"):
        await pack_order(session, order, world.worker)
    await _pick_all(session, order, world.worker)
    packed = await pack_order(session, order, world.worker)
    assert packed.packing_bin == "DOCK-OUT" and packed.status == "packed"
    assert [(l.sku, l.picked, l.short, [(x.lot, x.quantity) for x in l.lots]) for l in packed.lines] == [
        ("MILK", 4, 0, [("L7", 4)]), ("WID", 2, 1, [("", 2)])]
    shipped = await ship_order(session, order, world.worker)
    await session.commit()
    # one WID was short: it is still owed, so the order is only partly shipped
    assert shipped.status == "partially_shipped"
    assert [(o.sku, o.quantity) for o in shipped.owed] == [("WID", 1)]
    order = await session.get(SalesOrder, order.id)
    assert order.shipped_at is not None
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.line_no))).all()
    assert [l.shipped_qty for l in lines] == [4, 2]
    ships = (await session.exec(select(StockMove).where(StockMove.reason == "ship"))).all()
    assert sorted((m.quantity, m.lot) for m in ships) == [(2, ""), (4, "L7")]
    assert (await stock_level(session, world.products["MILK"].id)).on_hand == 0
    with pytest.raises(InvalidInput, match="pack it before shipping"):
        await ship_order(session, order, world.worker)

    world.customer.name = "Магазин Ъгъла"
    note = await delivery_note_data(session, order)
    pdf = render_delivery_note(note, Company(name="Demo Trading Ltd."))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_delivery_note_prints_in_the_requested_language(session):
    from datetime import date

    from domain.inventory.shipping import DeliveryNoteData, PackedLine
    note = DeliveryNoteData(
        order_number="SO-1042", order_date=date(2026, 11, 3), shipped_at=None, status="shipped", warehouse_name="Main",
        customer_code="C1", customer_name="Магазин Ъгъла", customer_legal_name=None, customer_address=None,
        customer_city="Пловдив", customer_country="BG", customer_phone=None, customer_language="bg",
        lines=[PackedLine(line_no=1, sku="WID", name="Джаджа", unit="pcs", ordered=Decimal("1234.5"),
                          picked=Decimal("1234.5"), short=Decimal(0), lots=[])])
    english = _pdf_text(render_delivery_note(note, Company(name="Demo")))
    bulgarian = _pdf_text(render_delivery_note(note, Company(name="Demo"), "bg"))
    assert "DELIVERY NOTE" in english and "1234.5" in english.replace(",", "")
    assert "DELIVERY NOTE" not in bulgarian and "Магазин Ъгъла" in bulgarian
    assert "1 234,5" in bulgarian.replace("\xa0", " ")  # Bulgarian number format
