from datetime import date

import pytest
from sqlmodel import select

from domain.errors import Conflict, InvalidInput, NotFound
from domain.inventory.moves import move_stock
from domain.inventory.stock import ledger_on_hand, stock_level, stock_rows
from domain.inventory.tasks import next_task_for
from domain.inventory.transfers import TransferInput, receive_transfer, send_transfer
from domain.models import StockMove

from .conftest import add_stock


async def test_move_between_bins(session, world):
    await add_stock(session, world, "MILK", "A-01-01", 5, lot="L1", expiry=date(2027, 1, 1))
    await add_stock(session, world, "MILK", "A-01-01", 5, lot="L2", expiry=date(2027, 2, 1))
    kw = dict(warehouse=world.wh, from_bin="A-01-01", to_bin="B-03-01", product_code="MILK")
    with pytest.raises(InvalidInput, match="several lots"):
        await move_stock(session, world.worker, quantity=1, **kw)
    with pytest.raises(Conflict, match="Only 5 on hand"):
        await move_stock(session, world.worker, quantity=6, lot="L1", **kw)
    with pytest.raises(NotFound, match="No location Z-1"):
        await move_stock(session, world.worker, quantity=1, lot="L1", **{**kw, "to_bin": "Z-1"})
    with pytest.raises(InvalidInput, match="reserved for WID"):
        await move_stock(session, world.worker, quantity=1, lot="L1", **{**kw, "to_bin": "P-01"})
    result = await move_stock(session, world.worker, quantity=3, lot="L1", **kw)
    assert "Moved 3 pcs of MILK from A-01-01 to B-03-01" in result.happened.render()
    rows = await stock_rows(session, world.products["MILK"].id)
    assert [(r.bin, r.lot, r.expiry, r.on_hand) for r in rows] == [
        ("A-01-01", "L1", date(2027, 1, 1), 2), ("B-03-01", "L1", date(2027, 1, 1), 3), ("A-01-01", "L2", date(2027, 2, 1), 5)]


async def test_moving_out_of_a_pick_face_triggers_refill(session, world):
    await add_stock(session, world, "WID", "P-01", 6)
    await add_stock(session, world, "WID", "C-01-01", 50)
    result = await move_stock(session, world.worker, warehouse=world.wh, from_bin="P-01", to_bin="A-01-01",
                              product_code="WID", quantity=2)
    assert result.refill_task_id is not None
    offer = await next_task_for(session, world.worker)
    assert (offer.kind, offer.to_bin, offer.quantity) == ("replenish", "P-01", 16)


async def test_transfer_goes_through_transit(session, world):
    await add_stock(session, world, "BOLT", "A-01-01", 30)
    sent = await send_transfer(session, world.worker, from_warehouse=world.wh, to_warehouse=world.wh2,
                               lines=[TransferInput("A-01-01", "14006381333945", 2)])
    await session.commit()
    assert sent.status == "in_transit" and sent.lines[0].quantity == 24
    bolt = world.products["BOLT"].id
    assert (await stock_level(session, bolt, warehouse_id=world.wh.id)).on_hand == 6
    in_transit = await stock_level(session, bolt, warehouse_id=world.wh2.id)
    assert (in_transit.on_hand, in_transit.available) == (24, 0)
    got = await receive_transfer(session, world.worker, sent.number.lower())
    await session.commit()
    assert got.status == "received" and got.lines[0].to_bin == "E-01"  # the empty bin of EAST
    assert (await stock_level(session, bolt, warehouse_id=world.wh2.id)).available == 24
    with pytest.raises(Conflict, match="already received"):
        await receive_transfer(session, world.worker, sent.number)
    moves = (await session.exec(select(StockMove).where(StockMove.reason == "transfer"))).all()
    assert {m.document for m in moves} == {sent.number} and len(moves) == 2
    for wh in (world.wh.id, world.wh2.id):
        assert await ledger_on_hand(session, bolt, warehouse_id=wh) == (await stock_level(session, bolt, warehouse_id=wh)).on_hand
