"""Journeys of a warehouse worker, through the real `qm run` and the Telegram test server. A
handheld scanner types the code it reads (EAN of the product, the bin's label, GS1 element strings
with lot and expiry); photos go as photos. Each journey reaches its goal within its budget."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func
from sqlmodel import select

from domain.models import (CountLine, CountTask, Customer, Location, PickList, PickTask, Product, PurchaseOrder,
                           PurchaseOrderLine, Receipt, ReceiptLine, SalesOrder, StockQuant, Supplier, User, Warehouse,
                           WarehouseTask)
from domain.orders.lifecycle import LineInput, confirm_order, create_order

from ..barcodes.images import jpeg, page, symbol
from .data import ean as _ean, location as _bin, moves as _moves, on_hand as _on_hand, product as _product, stocked_bin

FIRST_CHAT_ID = 92_000


# --- what the journeys find in (or add to) the demo company ------------------------------------
async def _new_order(app, bin_code: str, lines: dict[str, int], customer: str = "ACME Ltd.") -> str:
    """A confirmed order reserved from stock (put in `bin_code` first), as a sales rep would have booked
    it: it is on the pick list."""
    await stocked_bin(app, bin_code, lines)

    async def book(s):
        rep = (await s.exec(select(User).where(User.name == "Maria Petrova"))).one()
        cust = (await s.exec(select(Customer).where(Customer.name == customer))).one()
        products = {p.sku: p for p in (await s.exec(select(Product).where(Product.sku.in_(list(lines))))).all()}
        order = await create_order(s, rep, customer_id=cust.id, today=date.today(),
                                   lines=[LineInput(products[sku].id, Decimal(q)) for sku, q in lines.items()])
        result = await confirm_order(s, rep, order.id, today=date.today())
        assert result.reserved_complete
        await s.commit()
        return order.number
    return await app.db(book)


async def _pick_tasks(app, number: str) -> list[tuple[PickTask, Location, Product]]:
    return await app.all(select(PickTask, Location, Product)
                         .join(PickList, PickList.id == PickTask.pick_list_id)
                         .join(SalesOrder, SalesOrder.id == PickList.order_id)
                         .join(Location, Location.id == PickTask.location_id)
                         .join(Product, Product.id == PickTask.product_id)
                         .where(SalesOrder.number == number).order_by(PickTask.seq))


async def _pick_line(app, worker, task: PickTask, loc: Location, product: Product):
    """One pick line as the bot leads it: the bin's label, the product's code, the quantity's button."""
    await worker.scans(loc.barcode)
    await worker.scans(await _ean(app, product.sku))
    return await worker.taps(f"{task.quantity.normalize():f}")


def _blank_photo() -> bytes:
    return jpeg(np.full((960, 1280), 225, np.uint8))


# --- the journeys ---------------------------------------------------------------------------
async def test_receive_a_purchase_order_line_with_its_lot(app):
    worker = await app.join("warehouse", "Petar")
    soap = await app.one(select(Product).where(Product.lot_tracked.is_(True), Product.category == "cleaning")
                         .order_by(Product.id))
    expiry = date.today() + timedelta(days=400)

    async def purchase_order(s):
        clean = (await s.exec(select(Supplier).where(Supplier.code == "CLEAN"))).one()
        main = (await s.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
        po = PurchaseOrder(number="PO-J101", supplier_id=clean.id, warehouse_id=main.id, status="sent",
                           order_date=date.today() - timedelta(days=2), expected_date=date.today())
        s.add(po)
        await s.flush()
        s.add(PurchaseOrderLine(po_id=po.id, line_no=1, product_id=soap.id, quantity=Decimal(24), price=Decimal("2.10")))
        await s.commit()
    await app.db(purchase_order)
    gtin = "0" + await _ean(app, soap.sku)

    await worker.says("/receive PO-J101")
    # GS1-128 label: item, expiry and lot in one scan (]C1 is the symbology identifier the scanner sends)
    asked = await worker.scans(f"]C101{gtin}17{expiry:%y%m%d}10LOT-J1")
    assert "LOT-J1" in asked.text and "How many" in asked.text
    await worker.says("24")
    review = await worker.says("done")
    assert "LOT-J1" in review.text and soap.sku in review.text
    booked = await worker.taps("Book it")

    po = await app.one(select(PurchaseOrder).where(PurchaseOrder.number == "PO-J101"))
    line = await app.one(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id))
    assert (po.status, line.received_quantity) == ("received", 24)
    received = await app.one(select(ReceiptLine).join(Receipt, Receipt.id == ReceiptLine.receipt_id)
                             .where(Receipt.po_id == po.id))
    assert (received.quantity, received.lot, received.expiry) == (24, "LOT-J1", expiry)
    lot_stock = await app.one(select(StockQuant).where(StockQuant.product_id == soap.id, StockQuant.lot == "LOT-J1"))
    assert lot_stock.quantity == 24 and lot_stock.location_id == received.location_id
    assert "booked" in booked.text
    worker.spent(messages=3, scans=1, taps=1)


async def test_put_away_received_goods_with_one_scan(app):
    worker = await app.join("warehouse", "Kamen")

    async def to_varna(s):  # works in the Varna depot (no pick faces there, so no refill comes first)
        user = await s.get(User, worker.user_id)
        user.home_warehouse_id = (await s.exec(select(Warehouse.id).where(Warehouse.code == "NORTH"))).one()
        await s.commit()
    await app.db(to_varna)
    await worker.says("/receive")
    await worker.scans(await _ean(app, "HAR-092"))
    await worker.says("12")
    await worker.says("done")
    await worker.taps("Book it")
    worker.reset()

    offer = await worker.taps("Put away now")
    task = await app.one(select(WarehouseTask).where(WarehouseTask.assigned_to_id == worker.user_id))
    target = (await app.one(select(Location).where(Location.id == task.to_location_id)) if task.to_location_id else
              await _bin(app, "B-03-04", "NORTH"))
    assert "HAR-092" in offer.text and "12" in offer.text
    await worker.scans(target.barcode)

    task = await app.one(select(WarehouseTask).where(WarehouseTask.id == task.id))
    assert (task.status, task.done_qty, task.done_location_id) == ("done", 12, target.id)
    assert await _on_hand(app, "HAR-092", "DOCK-IN", "NORTH") == 0
    assert await _on_hand(app, "HAR-092", target.code, "NORTH") >= 12
    worker.spent(taps=1, scans=1)


async def test_a_pick_line_in_two_scans(app):
    worker = await app.join("warehouse", "Boyan")
    number = await _new_order(app, "J-01-01", {"WRI-047": 3})

    started = await worker.says(f"/pick {number}")
    [(task, loc, product)] = await _pick_tasks(app, number)
    assert loc.code in started.text
    worker.reset()
    done = await _pick_line(app, worker, task, loc, product)

    [(task, _, _)] = await _pick_tasks(app, number)
    assert (task.picked_qty, task.step) == (3, "done")
    assert f"Order {number} is picked" in done.text
    worker.spent(scans=2, taps=1)


async def test_a_whole_order_picked_packed_and_shipped(app):
    worker = await app.join("warehouse", "Stoyan")
    number = await _new_order(app, "J-01-02", {"HAR-196": 2, "HAR-098": 4})

    await worker.says(f"/pick {number}")
    tasks = await _pick_tasks(app, number)
    assert len(tasks) == 2
    for task, loc, product in tasks:
        last = await _pick_line(app, worker, task, loc, product)
    assert f"Order {number} is picked" in last.text
    await worker.says(f"/pack {number}")
    shipped = await worker.taps("Ship now")

    order = await app.one(select(SalesOrder).where(SalesOrder.number == number))
    assert order.status == "shipped"
    [note] = [f for f in shipped.documents if f.filename.startswith("delivery-note")]
    assert note.data[:4] == b"%PDF"
    worker.spent(messages=2, scans=4, taps=3)


async def test_move_one_unit_between_bins_typing_1_as_the_quantity(app):
    """Typing 1 at "how many?" is the quantity (it once pressed the first button and cancelled)."""
    worker = await app.join("warehouse", "Rosen")
    source = await stocked_bin(app, "J-02-01", {"HAR-092": 5})
    target = await stocked_bin(app, "J-02-02", {})

    await worker.says("/move")
    await worker.scans(source.barcode)
    await worker.scans(await _ean(app, "HAR-092"))
    await worker.says("1")
    moved = await worker.scans(target.barcode)

    assert await _on_hand(app, "HAR-092", "J-02-01") == 4
    assert await _on_hand(app, "HAR-092", "J-02-02") == 1
    assert "J-02-02" in moved.text
    worker.spent(messages=2, scans=3)


async def test_move_in_one_sentence(app):
    worker = await app.join("warehouse", "Emil")
    await stocked_bin(app, "J-02-03", {"HAR-098": 6})
    await stocked_bin(app, "J-02-04", {})

    moved = await worker.says("move 2 HAR-098 from J-02-03 to J-02-04")

    assert await _on_hand(app, "HAR-098", "J-02-03") == 4
    assert await _on_hand(app, "HAR-098", "J-02-04") == 2
    assert "J-02-04" in moved.text
    worker.spent(messages=1)


async def test_a_count_with_a_difference_waits_for_the_manager(app):
    worker = await app.join("warehouse", "Yana")
    await stocked_bin(app, "J-03-01", {"WRI-037": 27})
    record = Decimal(27)
    moves = await _moves(app)

    await worker.says("/count J-03-01")
    await worker.scans(await _ean(app, "WRI-037"))
    await worker.says("24")
    asked = await worker.says("done")
    assert "Finish the count" in asked.text and "27" not in asked.text  # confirmed first, and still blind
    finished = await worker.taps("Finish count")

    task = await app.one(select(CountTask).where(CountTask.counted_by_id == worker.user_id))
    line = await app.one(select(CountLine).where(CountLine.count_task_id == task.id))
    assert (task.status, line.counted_qty, line.expected_qty) == ("awaiting_approval", record - 3, record)
    assert await _on_hand(app, "WRI-037", "J-03-01") == record and await _moves(app) == moves  # nothing booked yet
    assert "manager" in finished.text.lower() and "27" not in finished.text  # still blind
    worker.spent(messages=3, scans=1, taps=1)


async def test_a_typed_1_during_a_count_is_a_quantity_not_finish(app):
    """The count's first message offers "Finish count"; a 1 typed as a quantity must not press it."""
    worker = await app.join("warehouse", "Dimo")
    await stocked_bin(app, "J-03-02", {"HAR-082": 30, "PAC-178": 2})

    started = await worker.says("/count J-03-02")
    assert any("Finish" in label for label in worker.labels(started.with_buttons()))
    await worker.scans(await _ean(app, "HAR-082"))
    counted = await worker.says("1")

    task = await app.one(select(CountTask).where(CountTask.counted_by_id == worker.user_id))
    lines = await app.all(select(CountLine).where(CountLine.count_task_id == task.id))
    assert task.status == "counting"  # not finished
    assert [(ln.product_id, ln.counted_qty) for ln in lines] == [((await _product(app, "HAR-082")).id, 1)]
    assert "Next product" in counted.text
    worker.spent(messages=2, scans=1)


async def test_how_many_do_we_have_in_one_message(app):
    worker = await app.join("warehouse", "Asen")
    await stocked_bin(app, "J-03-03", {"WID-001": 8})  # whatever else the demo has of it today
    widget = await _product(app, "WID-001")
    on_hand = Decimal(await app.one(select(func.coalesce(func.sum(StockQuant.quantity), 0))
                                    .where(StockQuant.product_id == widget.id)))

    answer = await worker.says("how many blue widgets do we have?")

    assert "WID-001" in answer.text and re.search(rf"\b{on_hand.normalize():f}\b[^\n]*on hand", answer.text), answer
    worker.spent(messages=1)


async def test_a_photo_without_a_barcode_is_explained_and_changes_nothing(app):
    worker = await app.join("warehouse", "Lora")
    number = await _new_order(app, "J-01-03", {"PAP-030": 2})
    await worker.says(f"/pick {number}")
    [(task, loc, product)] = await _pick_tasks(app, number)
    await worker.scans(loc.barcode)
    moves = await _moves(app)

    refused = await worker.sends_photo(_blank_photo())

    [(after, _, _)] = await _pick_tasks(app, number)
    assert after.step == "scan_product" and after.picked_qty == 0 and await _moves(app) == moves
    assert "barcode" in refused.text.lower() or "code" in refused.text.lower()
    # ... and the pick simply goes on
    await worker.scans(await _ean(app, product.sku))
    done = await worker.taps("2")
    assert f"Order {number} is picked" in done.text
    worker.spent(messages=1, scans=2, photos=1, taps=1)


async def test_an_old_book_it_button_does_nothing_and_says_so(app):
    worker = await app.join("warehouse", "Pavel")
    before = await _on_hand(app, "WRI-040", "DOCK-IN")
    await worker.says("/receive")
    await worker.scans(await _ean(app, "WRI-040"))
    await worker.says("5")
    review = await worker.says("done")
    await worker.taps("Book it")
    receipts = await app.one(select(func.count()).select_from(Receipt).where(Receipt.user_id == worker.user_id))

    again = await worker.taps("Book it", on=review.with_buttons())

    assert await app.one(select(func.count()).select_from(Receipt).where(Receipt.user_id == worker.user_id)) == receipts == 1
    assert await _on_hand(app, "WRI-040", "DOCK-IN") == before + 5  # booked once
    assert "earlier message" in again.text or "no longer valid" in again.text
    worker.spent(messages=3, scans=1, taps=2)


async def test_a_stranger_is_refused_and_nothing_changes(app):
    stranger = app.stranger("Mallory")
    moves = await _moves(app)

    refused = await stranger.says("/pick")
    await stranger.scans(await _ean(app, "WID-001"))

    assert "invite" in refused.text.lower()
    assert await app.one(select(User).where(User.telegram_id == stranger.chat_id)) is None
    assert await _moves(app) == moves
    stranger.spent(messages=1, scans=1)


async def test_a_photo_with_two_barcodes_asks_which_one_and_a_tap_goes_on(app):
    worker = await app.join("warehouse", "Tsveta")
    first, second = await _ean(app, "WRI-048"), await _ean(app, "HAR-096")
    photo = jpeg(page(symbol(first, "EAN13"), symbol(second, "EAN13")))
    await stocked_bin(app, "J-03-04", {"WRI-048": 21, "HAR-096": 24})

    await worker.says("/count J-03-04")
    asked = await worker.sends_photo(photo, of_barcode=True)
    assert "Which one" in asked.text
    counted = await worker.taps(first)
    assert "how many" in counted.text.lower() and "WRI-048" in counted.text
    await worker.says("21")

    task = await app.one(select(CountTask).where(CountTask.counted_by_id == worker.user_id))
    line = await app.one(select(CountLine).where(CountLine.count_task_id == task.id))
    assert (line.product_id, line.counted_qty) == ((await _product(app, "WRI-048")).id, 21)
    worker.spent(messages=2, scans=1, taps=1)
