from decimal import Decimal

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput
from domain.inventory.moves import move_stock
from domain.inventory.reservations import release_order, reserve_order
from domain.inventory.stock import stock_level, stock_rows
from domain.models import SalesOrder, SalesOrderLine

from .conftest import add_stock, make_order


async def test_partial_reservation_then_top_up_and_release(session, world):
    await add_stock(session, world, "WID", "A-01-01", 3)
    await add_stock(session, world, "WID", "B-03-01", 2)
    order = await make_order(session, world, "SO-10", [("WID", 8), ("BOLT", 1)])
    result = await reserve_order(session, order)
    assert not result.complete
    assert [(l.sku, l.reserved_now, l.short) for l in result.lines] == [("WID", 5, 3), ("BOLT", 0, 1)]
    assert result.status == "confirmed"
    level = await stock_level(session, world.products["WID"].id, warehouse_id=world.wh.id)
    assert (level.on_hand, level.reserved, level.available) == (5, 5, 0)

    await add_stock(session, world, "WID", "C-01-01", 10)
    await add_stock(session, world, "BOLT", "C-01-01", 1)
    result = await reserve_order(session, order)
    assert result.complete and result.status == "reserved"
    assert [(l.sku, l.reserved_now, l.reserved_total) for l in result.lines] == [("WID", 3, 8), ("BOLT", 1, 1)]
    again = await reserve_order(session, order)
    assert [l.reserved_now for l in again.lines] == [0, 0]  # nothing added twice

    released = await release_order(session, order)
    assert released == 9
    await session.commit()
    level = await stock_level(session, world.products["WID"].id, warehouse_id=world.wh.id)
    assert (level.on_hand, level.reserved, level.available) == (15, 0, 15)
    order = await session.get(SalesOrder, order.id)
    assert order.status == "confirmed"
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).all()
    assert all(l.reserved_qty == 0 for l in lines)


async def test_second_order_cannot_reserve_what_the_first_holds(session, world):
    await add_stock(session, world, "WID", "A-01-01", 1)
    first = await make_order(session, world, "SO-11", [("WID", 1)])
    second = await make_order(session, world, "SO-12", [("WID", 1)])
    assert (await reserve_order(session, first)).complete
    assert not (await reserve_order(session, second)).complete
    with pytest.raises(Conflict, match="free"):
        await move_stock(session, world.worker, warehouse=world.wh, from_bin="A-01-01", to_bin="A-01-02",
                         product_code="WID", quantity=1)


async def test_reserve_refuses_drafts_and_only_uses_sellable_bins(session, world):
    draft = await make_order(session, world, "SO-13", [("WID", 1)], status="draft")
    with pytest.raises(InvalidInput, match="draft"):
        await reserve_order(session, draft)
    from domain.inventory.common import RECEIVING_CODE, working_location
    from domain.inventory.ledger import post_move, virtual_location
    from domain.models import LocationKind
    dock = await working_location(session, world.wh.id, RECEIVING_CODE)
    await post_move(session, product_id=world.products["WID"].id, from_location=await virtual_location(session, LocationKind.supplier),
                    to_location=dock, quantity=Decimal(5), reason="receipt")
    order = await make_order(session, world, "SO-14", [("WID", 1)])
    assert not (await reserve_order(session, order)).complete
    rows = await stock_rows(session, world.products["WID"].id)
    assert [(r.bin, r.on_hand, r.available) for r in rows] == [("DOCK-IN", 5, 0)]
