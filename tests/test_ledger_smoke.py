from decimal import Decimal

import pytest

from domain.errors import Conflict, InvalidInput
from domain.inventory.ledger import post_move, virtual_location
from domain.models import Location, LocationKind, Product, StockMove, StockQuant, Warehouse
from sqlmodel import select


async def test_move_updates_quants_and_refuses_overdraw(session):
    wh = Warehouse(code="MAIN", name="Main")
    session.add(wh)
    p = Product(sku="WID-1", name="Widget")
    session.add(p)
    await session.flush()
    bin_a = Location(warehouse_id=wh.id, code="A-01-01")
    session.add(bin_a)
    await session.flush()
    adj = await virtual_location(session, LocationKind.adjustment)
    await post_move(session, product_id=p.id, from_location=adj, to_location=bin_a, quantity=10, reason="opening")
    await session.commit()

    q = (await session.exec(select(StockQuant).where(StockQuant.location_id == bin_a.id))).one()
    assert q.quantity == Decimal("10")
    with pytest.raises(Conflict):
        await post_move(session, product_id=p.id, from_location=bin_a, to_location=adj, quantity=11, reason="count")
    with pytest.raises(InvalidInput):
        await post_move(session, product_id=p.id, from_location=adj, to_location=bin_a, quantity=-1, reason="count")
    await session.rollback()
    moves = (await session.exec(select(StockMove))).all()
    assert len(moves) == 1
