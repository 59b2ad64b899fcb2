"""Warehouse work through the dialogue on the demo company: pick, pack, ship,
receive, put away, count, move, stock questions — typed scans (a handheld scanner)."""
import re
from decimal import Decimal

import pytest
from sqlmodel import select

from domain.models import (
    Barcode, Location, PickList, Product, Role, SalesOrder, StockMove, StockQuant, User, Warehouse,
)
from domain.orders.lifecycle import LineInput, confirm_order, create_order

from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900))
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=901))
        await uow.commit()
    return services


async def _order_with_stock(services) -> SalesOrder:
    """A confirmed, fully reserved order for one product stocked in MAIN."""
    async with services.uow() as uow:
        s = uow.session
        boss = (await s.exec(select(User).where(User.telegram_id == 901))).one()
        main = (await s.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
        quant, loc, product = (await s.exec(
            select(StockQuant, Location, Product).join(Location, Location.id == StockQuant.location_id)
            .join(Product, Product.id == StockQuant.product_id)
            .where(Location.warehouse_id == main.id, Location.kind == "storage", StockQuant.quantity >= 5,
                   Product.lot_tracked.is_(False)).order_by(StockQuant.id))).first()
        from domain.models import Customer

        customer = (await s.exec(select(Customer).where(Customer.home_warehouse_id == main.id))).first()
        order = await create_order(s, boss, customer_id=customer.id, lines=[LineInput(product.id, Decimal(3))])
        result = await confirm_order(s, boss, order.id)
        assert result.reserved_complete
        await uow.commit()
        return order


async def _scan_answer(chat, services, expect_text: str) -> str:
    return await chat.text(expect_text)


async def test_pick_pack_ship_with_wrong_scans_refused(services):
    order = await _order_with_stock(services)
    worker = Chat(dialogue_for(services), external_id="900")
    reply = await worker.text(f"/pick {order.number}")
    assert "scan its label" in reply
    async with services.uow() as uow:
        pl = (await uow.session.exec(select(PickList).where(PickList.order_id == order.id))).one()
        from domain.models import PickTask

        task = (await uow.session.exec(select(PickTask).where(PickTask.pick_list_id == pl.id))).first()
        bin_ = await uow.session.get(Location, task.location_id)
        ean = (await uow.session.exec(select(Barcode).where(Barcode.product_id == task.product_id, Barcode.pack_qty == 1))).first().code
        other_bin = (await uow.session.exec(select(Location).where(Location.warehouse_id == bin_.warehouse_id,
                                                                    Location.id != bin_.id, Location.kind == "storage"))).first()
    assert "Wrong bin" in await worker.text(other_bin.code) or "wrong" in (await worker.text(other_bin.code)).lower()

    # a restart in the middle: a new dialogue instance resumes at the same step
    worker = Chat(dialogue_for(services), external_id="900")
    assert "scan" in (await worker.text(bin_.barcode)).lower()
    assert "how many" in (await worker.text(ean)).lower()
    assert "at most" in await worker.text("7")
    assert "more than zero" in (await worker.text("-1")).lower() or "positive" in (await worker.text("-1")).lower()
    reply = await worker.text("3")
    assert "is picked" in reply
    reply = await worker.text(f"/pack {order.number}")
    assert "packed" in reply
    replies = await worker.send(kind="callback", callback=f"ship:{order.id}")
    assert "shipped" in replies[0].text
    assert replies[0].attachments[0].data.startswith(b"%PDF")
    async with services.uow() as uow:
        assert (await uow.session.get(SalesOrder, order.id)).status == "shipped"
        ship_moves = (await uow.session.exec(select(StockMove).where(StockMove.document == order.number, StockMove.reason == "ship"))).all()
        assert sum(m.quantity for m in ship_moves) == Decimal(3)


async def test_receive_against_po_then_put_away(services):
    worker = Chat(dialogue_for(services), external_id="900")
    assert "Receiving against PO-2601" in await worker.text("/receive PO-2601")
    async with services.uow() as uow:
        from domain.models import PurchaseOrder, PurchaseOrderLine

        po = (await uow.session.exec(select(PurchaseOrder).where(PurchaseOrder.number == "PO-2601"))).one()
        line = (await uow.session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id))).first()
        product = await uow.session.get(Product, line.product_id)
    assert "How many" in await worker.text(product.sku)
    assert "noted" in await worker.text("5")
    review = await worker.text("done")
    assert product.sku in review and f"Beyond the tolerance: {product.sku} -" in review
    assert [b.data for b in worker.buttons()][0] == "recv_book:confirm"  # a partial receipt is confirmed as such
    booked = await worker.press("recv_book:confirm")
    assert "booked" in booked
    task = await worker.press("wh_next:")
    if "Put away" in task:
        bin_code = task.split("to bin ")[1].split(",")[0] if "to bin " in task else None
        if bin_code:
            assert "moved" in (await worker.text(bin_code)).lower() or "put" in (await worker.text(bin_code)).lower()


async def test_stock_question_unknown_product_and_bin(services):
    worker = Chat(dialogue_for(services), external_id="900")
    reply = await worker.text("/stock WID-001")
    assert "Blue widget" in reply and "on hand" in reply
    # a name nothing matches is told as a name, with what to try; a code as a code
    assert "I know no product or bin called flux capacitor. Write its code" in await worker.text("/stock flux capacitor")
    assert "No product with code FLUX-9" in await worker.text("/stock FLUX-9")
    assert "Bin A-01-01" in await worker.text("/stock A-01-01")


async def test_blind_count_with_big_variance_needs_approval(services):
    worker = Chat(dialogue_for(services), external_id="900")
    async with services.uow() as uow:
        quant, loc, product = (await uow.session.exec(
            select(StockQuant, Location, Product).join(Location, Location.id == StockQuant.location_id)
            .join(Product, Product.id == StockQuant.product_id)
            .join(Warehouse, Warehouse.id == Location.warehouse_id)  # the worker's warehouse: bin codes repeat in each
            .where(Warehouse.code == "MAIN", Location.kind == "storage", StockQuant.quantity >= 10,
                   Product.lot_tracked.is_(False)))).first()
        expected = quant.quantity
    reply = await worker.text(f"/count {loc.code}")
    shows_expected = re.compile(rf"(?<![\w.]){expected.normalize()}(?![\w.])").search  # as a number, not inside a lot code
    assert not shows_expected(reply)  # blind: the expected quantity is never shown
    await worker.text(product.sku)
    await worker.text("1")
    # Blind means blind: mid-count the counter sees nothing of that bin, by bin or by product.
    assert "not shown" in await worker.text(f"/stock {loc.code}")
    mid = await worker.text(f"/stock {product.sku}")
    assert f"not shown while you count MAIN {loc.code}" in mid and f"MAIN {loc.code}:" not in mid
    asked = await worker.text("done")
    assert "Finish the count" in asked and not shows_expected(asked)  # what was counted, never the records
    assert "Finish the count" in await worker.text("done")  # typed "done" again: still only asked
    finished = await worker.press("count_done:ok")
    assert "manager checks it" in finished and product.sku not in finished  # nothing expected is listed
    boss = Chat(dialogue_for(services), external_id="901")
    await boss.text("/approvals")
    [approve] = [b for b in boss.buttons() if b.data.endswith(":1")][:1]
    await boss.press(approve.data)
    async with services.uow() as uow:
        q = (await uow.session.exec(select(StockQuant).where(StockQuant.id == quant.id))).one()
        assert q.quantity == Decimal(1)


async def test_move_between_bins(services):
    worker = Chat(dialogue_for(services), external_id="900")
    async with services.uow() as uow:
        quant, loc, product = (await uow.session.exec(
            select(StockQuant, Location, Product).join(Location, Location.id == StockQuant.location_id)
            .join(Product, Product.id == StockQuant.product_id)
            .where(Location.kind == "storage", StockQuant.quantity >= 4, StockQuant.reserved == 0,
                   Product.lot_tracked.is_(False)))).first()
        target = (await uow.session.exec(select(Location).where(Location.warehouse_id == loc.warehouse_id,
                                                                Location.kind == "storage", Location.id != loc.id))).all()[-1]
    await worker.text("/move")
    await worker.text(loc.code)
    await worker.text(product.sku)
    assert "more than zero" in await worker.text("0")
    await worker.text("2")
    reply = await worker.text(target.code)
    assert target.code in reply
    async with services.uow() as uow:
        q = (await uow.session.exec(select(StockQuant).where(StockQuant.product_id == product.id, StockQuant.location_id == target.id))).one()
        assert q.quantity == Decimal(2)


async def test_transfer_between_warehouses(services):
    worker = Chat(dialogue_for(services), external_id="900")
    async with services.uow() as uow:
        quant, loc, product = (await uow.session.exec(
            select(StockQuant, Location, Product).join(Location, Location.id == StockQuant.location_id)
            .join(Product, Product.id == StockQuant.product_id)
            .join(Warehouse, Warehouse.id == Location.warehouse_id)
            .where(Warehouse.code == "MAIN", Location.kind == "storage", StockQuant.quantity - StockQuant.reserved >= 2,
                   Product.lot_tracked.is_(False)))).first()
    assert "no warehouse MOON" in await worker.text(f"/transfer MOON {loc.code} {product.sku} 2")
    sent = await worker.text(f"/transfer NORTH {loc.code} {product.sku} 2")
    number = sent.split("Transfer ")[1].split(" ")[0]
    assert "in transit" in sent
    received = await worker.text(f"/transfer_in {number} A-01-01")
    assert "received in NORTH" in received
    assert "already received" in await worker.text(f"/transfer_in {number} A-01-01")


async def test_barcode_photo_tells_what_it_is_and_a_blank_photo_asks_again(services):
    from bot.app import load_decoder

    from .barcodes.images import jpeg, page, symbol

    services.decode_image = load_decoder()
    worker = Chat(dialogue_for(services), external_id="900")
    async with services.uow() as uow:
        code = (await uow.session.exec(select(Barcode).join(Product, Product.id == Barcode.product_id)
                                       .where(Product.sku == "WID-001", Barcode.pack_qty == 1))).one().code
    photo = jpeg(page(symbol(code, "EAN13")))
    replies = await worker.send(kind="photo", data=photo)
    assert "Blue widget" in replies[0].text and "on hand" in replies[0].text
    import numpy as np

    blank = jpeg(np.full((960, 1280), 200, dtype=np.uint8))
    replies = await worker.send(kind="photo", data=blank)
    assert "no barcode" in replies[0].text and "type the digits" in replies[0].text
    replies = await worker.send(kind="photo", data=b"not an image at all")
    assert "not an image" in replies[0].text


async def test_a_button_from_an_earlier_message_or_another_flow_does_nothing(services):
    order = await _order_with_stock(services)
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text(f"/pick {order.number}")
    async with services.uow() as uow:
        from domain.models import PickTask

        pl = (await uow.session.exec(select(PickList).where(PickList.order_id == order.id))).one()
        task = (await uow.session.exec(select(PickTask).where(PickTask.pick_list_id == pl.id))).first()
        bin_ = await uow.session.get(Location, task.location_id)
        ean = (await uow.session.exec(select(Barcode).where(Barcode.product_id == task.product_id, Barcode.pack_qty == 1))).first().code
    await worker.text(bin_.barcode)
    assert "how many" in (await worker.text(ean)).lower()
    qty_button = next(b.data for b in worker.buttons() if b.data.startswith("pick_qty:"))

    # another flow now: the pick's quantity button must not act on it
    await worker.text("/receive")
    reply = await worker.press(qty_button)
    assert "earlier message, so it did nothing" in reply
    async with services.uow() as uow:
        assert (await uow.session.get(PickTask, task.id)).picked_qty == 0

    # back in the pick, a later question's buttons replace it: the old one still does nothing
    await worker.text("/cancel")
    await worker.text(f"/pick {order.number}")
    assert "earlier message, so it did nothing" in await worker.press("count_done:")
    async with services.uow() as uow:
        assert (await uow.session.get(PickTask, task.id)).picked_qty == 0
