"""A photo with several barcodes in the dialogue: the symbols of one GS1 label are one
scan with all their data; different codes make the bot ask which one is meant."""
import cv2
import numpy as np
import pytest
from sqlmodel import select

from bot.app import load_decoder
from domain.models import Barcode, Product, Role, User

from .barcodes.images import jpeg, symbol
from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    services.decode_image = load_decoder()
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900))
        await uow.commit()
    return services


async def _products_with_ean(services, count: int) -> list[tuple[Product, str]]:
    async with services.uow() as uow:
        rows = (await uow.session.exec(select(Product, Barcode).join(Barcode, Barcode.product_id == Product.id)
                                       .where(Barcode.pack_qty == 1).order_by(Product.id))).all()
    return [(p, b.code) for p, b in rows if len(b.code) == 13][:count]


def _photo(*symbols: np.ndarray) -> bytes:
    """Symbols one above the other on a light page."""
    canvas = np.full((960, 1280), 225, np.uint8)
    top = 80
    for sym in symbols:
        canvas[top:top + sym.shape[0], 80:80 + sym.shape[1]] = sym
        top += sym.shape[0] + 60
    return jpeg(canvas)


def _bars(content: str, fmt: str = "Code128", **options) -> np.ndarray:
    sym = symbol(content, fmt, scale=2, **options)
    return cv2.resize(sym, (sym.shape[1], 120), interpolation=cv2.INTER_NEAREST)


async def test_a_gs1_logistics_label_is_one_scan_with_lot_and_pallet(services):
    [(product, ean)] = await _products_with_ean(services, 1)
    gtin = "0" + ean
    label = _photo(_bars(f"(01){gtin}(17)271231(10)LOT42", gs1=True), _bars("(00)106141411234567897", gs1=True))
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text("/receive")
    reply = "\n".join(r.text for r in await worker.send(kind="photo", data=label))
    assert product.name in reply and "lot LOT42" in reply and "How many" in reply
    assert not worker.buttons()


async def test_two_different_products_in_one_photo_ask_which_then_go_on(services):
    (first, first_ean), (second, second_ean) = await _products_with_ean(services, 2)
    photo = _photo(symbol(first_ean, "EAN13", scale=3), symbol(second_ean, "EAN13", scale=3))
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text("/receive")
    replies = await worker.send(kind="photo", data=photo)
    assert "2 different barcodes" in replies[0].text and "Which one" in replies[0].text
    choices = {b.label: b.data for b in worker.buttons()}
    assert set(choices) == {first_ean, second_ean}
    reply = await worker.press(choices[second_ean])
    assert second.name in reply and "How many" in reply
    assert "noted" in await worker.text("3")
    assert "earlier message, so it did nothing" in await worker.press(choices[first_ean])  # asked and answered


async def test_a_photo_with_two_products_outside_a_flow_tells_about_both(services):
    (first, first_ean), (second, second_ean) = await _products_with_ean(services, 2)
    photo = _photo(symbol(first_ean, "EAN13", scale=3), symbol(second_ean, "EAN13", scale=3),
                   symbol("https://example.com/not-ours", "QRCode", scale=6))
    worker = Chat(dialogue_for(services), external_id="900")
    text = "\n".join(r.text for r in await worker.send(kind="photo", data=photo))
    assert first.name in text and second.name in text and text.count("on hand") == 2
    assert "Not a product or bin I know: https://example.com/not-ours" in text
