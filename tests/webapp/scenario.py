"""A warehouse with one order of ten lines in ten bins, a worker who joined over
Telegram, and Debian's Chromium opening the camera scanner with a fake camera.
Shared by the end-to-end test and the benchmark."""
from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from domain.inventory.ledger import post_move, virtual_location
from domain.inventory.reservations import reserve_order
from domain.models import Barcode, Customer, Location, LocationKind, Product, SalesOrder, SalesOrderLine, Warehouse
from storage.engine import create_engine, session_factory

from bot.webapp.init_data import sign

from ..qm_process import TOKEN

LINES = 10


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@dataclass
class Pick:
    order_number: str
    codes: list[tuple[str, str]]  # (bin barcode, product barcode) in walking order
    quantities: list[int]


async def build_pick(database_url: str, number: str = "7001") -> Pick:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as s:
            wh = Warehouse(code="MAIN", name="Main warehouse")
            s.add(wh)
            await s.flush()
            customer = Customer(code="C1", name="Corner Shop", city="Sofia", country="BG", phone="+359888123456")
            s.add(customer)
            order = SalesOrder(number=number, customer_id=0, warehouse_id=wh.id, status="confirmed")
            adj = await virtual_location(s, LocationKind.adjustment)
            codes, quantities, products = [], [], []
            for i in range(1, LINES + 1):
                bin_ = Location(warehouse_id=wh.id, code=f"A-{i:02d}-01", zone="A", aisle=f"{i:02d}", level="01",
                                kind=LocationKind.storage, barcode=f"MAIN-A-{i:02d}-01")
                product = Product(sku=f"SKU-{i:02d}", name=f"Article {i}")
                s.add_all([bin_, product])
                await s.flush()
                ean = ean13(f"460123400{i:03d}")
                s.add(Barcode(code=ean, product_id=product.id))
                await post_move(s, product_id=product.id, from_location=adj, to_location=bin_, quantity=Decimal(5), reason="opening")
                codes.append((bin_.barcode, ean))
                quantities.append(1 + i % 3)
                products.append(product)
            await s.flush()
            order.customer_id = customer.id
            s.add(order)
            await s.flush()
            for i, (product, qty) in enumerate(zip(products, quantities), start=1):
                s.add(SalesOrderLine(order_id=order.id, line_no=i, product_id=product.id, quantity=Decimal(qty), price=Decimal("1.00")))
            await s.flush()
            await reserve_order(s, order)
            await s.commit()
    finally:
        await engine.dispose()
    return Pick(number, codes, quantities)


def init_data(user_id: int, first_name: str = "Georgi", language_code: str = "en", age_s: int = 0) -> str:
    user = json.dumps({"id": user_id, "first_name": first_name, "language_code": language_code}, separators=(",", ":"))
    return sign({"auth_date": str(int(time.time()) - age_s), "query_id": "AAE-test", "user": user}, TOKEN)


def local_page(web_app_url: str, port: int) -> str:
    """The button's HTTPS address as the local server serves it (TLS ends at the proxy in front of `qm run`)."""
    parts = urlsplit(web_app_url)
    return f"http://127.0.0.1:{port}{parts.path}?{parts.query}"


@contextmanager
def chromium(video: Path | None, *, width: int = 420, height: int = 860):
    """Debian's Chromium, headless, with `video` as the camera (no camera at all when None)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, "Chromium and its driver come from apt-packages-test.txt: run `make test` to install them"
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--window-size={width},{height}", "--autoplay-policy=no-user-gesture-required"):
        opts.add_argument(flag)
    if video is not None:
        opts.add_argument("--use-fake-ui-for-media-stream")
        opts.add_argument("--use-fake-device-for-media-stream")
        opts.add_argument(f"--use-file-for-fake-video-capture={video}")
    else:
        opts.add_argument("--deny-permission-prompts")
    browser = webdriver.Chrome(options=opts, service=Service(driver))
    try:
        yield browser
    finally:
        browser.quit()


# Taps the quantity button as soon as the step shows it, as the picker's thumb would.
TAP_QUANTITY = """
window.__tapper = window.__tapper || setInterval(() => {
  const b = document.querySelector('#buttons button[data-data^="pick_qty:"]');
  if (b && !b.dataset.tapped) { b.dataset.tapped = "1"; b.click(); }
}, 120);
"""


def schedule_for(pick: Pick, dwell: float = 1.6, gap: float = 0.5) -> list[tuple[str | None, float]]:
    """The camera's view over time: each bin label, then the product, with the hand moving between them."""
    out: list[tuple[str | None, float]] = [(None, 1.0)]
    for bin_code, product_code in pick.codes:
        out += [(bin_code, dwell), (None, gap), (product_code, dwell), (None, gap + 0.6)]
    return out
