"""The realistic message mix of the open-loop bench: the demo company, people with Telegram ids,
pick orders with many lines, and what each kind of person sends next.

Kinds (each counted and timed on its own):
  text  - free text through the language model: a stock question ("how many Blue widget do we
          have?") or an order's status ("where is order 1042?"), from managers;
  pick  - a step of a real pick: the bin label, the product code or the quantity the bot's last
          prompt asked for, from warehouse workers in the middle of their own order;
  photo - a photo of a product's EAN-13 barcode outside any flow (decoded, then "what is this and
          how much do we have"), from warehouse workers.
"""
from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

PICK_LINES = 60  # lines per pick order: ~180 pick messages before a picker needs the next order


@dataclass
class Mix:
    text_users: list[int]
    pick_users: list[int]
    photo_users: list[int]
    product_names: list[str]
    order_numbers: list[str]
    photos: list[bytes]
    pick_orders: dict[int, list[str]] = field(default_factory=dict)  # picker -> their orders, in turn


def users(n_text: int, n_pick: int, n_photo: int, base: int = 20_001) -> tuple[list[int], list[int], list[int]]:
    ids = list(range(base, base + n_text + n_pick + n_photo))
    return ids[:n_text], ids[n_text:n_text + n_pick], ids[n_text + n_pick:]


async def prepare(url: str, n_text: int = 24, n_pick: int = 24, n_photo: int = 8, orders_each: int = 2) -> Mix:
    """Migrates and seeds the demo company into an empty database, then adds the bench's people,
    stock for the pick products and `orders_each` reserved orders of PICK_LINES lines per picker."""
    from sqlmodel import select

    from bot.settings import load_settings
    from domain.demo import seed_demo
    from domain.inventory.ledger import post_move, virtual_location
    from domain.inventory.reservations import reserve_order
    from domain.models import (
        Barcode, Customer, Location, LocationKind, Product, Role, SalesOrder, SalesOrderLine, User, Warehouse,
    )
    from storage.engine import create_engine, session_factory
    from storage.migrate import upgrade

    text_ids, pick_ids, photo_ids = users(n_text, n_pick, n_photo)
    engine = create_engine(url)
    await upgrade(engine)
    settings = load_settings(database={"url": url})
    sessions = session_factory(engine)
    async with sessions() as s:
        await seed_demo(s, company=settings.company)
        await s.commit()
    async with sessions() as s:
        main = (await s.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
        s.add_all([User(name=f"Manager {u}", role=Role.manager, telegram_id=u, language="en") for u in text_ids])
        s.add_all([User(name=f"Picker {u}", role=Role.warehouse, telegram_id=u, language="en", home_warehouse_id=main.id)
                   for u in pick_ids + photo_ids])
        rows = (await s.exec(select(Product, Barcode.code).join(Barcode, Barcode.product_id == Product.id)
                             .where(Barcode.pack_qty == 1, Product.lot_tracked == False,  # noqa: E712
                                    Product.requires_inspection == False).order_by(Product.id))).all()  # noqa: E712
        products = [p for p, _ in rows][:PICK_LINES]
        bins = (await s.exec(select(Location).where(Location.warehouse_id == main.id, Location.kind == LocationKind.storage)
                             .order_by(Location.id))).all()
        adjustment = await virtual_location(s, LocationKind.adjustment)
        for i, p in enumerate(products):  # plenty for every picker, shared bins (pickers meet on the same rows)
            await post_move(s, product_id=p.id, from_location=adjustment, to_location=bins[i % len(bins)],
                            quantity=Decimal(100_000), reason="opening", document="BENCH")
        customer_id = (await s.exec(select(Customer.id).order_by(Customer.id))).first()
        order_numbers = [n for n in (await s.exec(select(SalesOrder.number).order_by(SalesOrder.id))).all()][:40]
        pick_orders: dict[int, list[str]] = {}
        rnd = random.Random(5)
        for u in pick_ids:
            for _ in range(orders_each):
                o = SalesOrder(number=f"PB-{uuid.uuid4().hex[:8].upper()}", customer_id=customer_id, warehouse_id=main.id, status="confirmed")
                s.add(o)
                await s.flush()
                for k, p in enumerate(rnd.sample(products, len(products))):
                    s.add(SalesOrderLine(order_id=o.id, line_no=k + 1, product_id=p.id, quantity=Decimal(1)))
                await s.flush()
                await reserve_order(s, o)
                pick_orders.setdefault(u, []).append(o.number)
        await s.commit()
    await engine.dispose()
    from tests.barcodes.images import jpeg, page, symbol

    codes = [c for _, c in rows][:12]
    photos = [jpeg(page(symbol(c, "EAN13"))) for c in codes]
    names = [p.name for p, _ in rows][:40]
    return Mix(text_ids, pick_ids, photo_ids, names, order_numbers, photos, pick_orders)


_BIN = re.compile(r"Go to bin (\S+) and scan its label")
_PRODUCT = re.compile(r"At \S+: scan .*\(([^()]+)\)")
_QTY = re.compile(r"How many .* of (\S+) did you take\? (\S+) needed")


class Picker:
    """What a picker sends next, read from the bot's last prompt (English)."""

    def __init__(self, orders: list[str]):
        self.orders = list(orders)
        self.next = f"/pick {self.orders.pop(0)}" if self.orders else "/pick"

    def heard(self, text: str) -> None:
        if m := _QTY.search(text):
            self.next = m.group(2)
        elif m := _PRODUCT.search(text):
            self.next = m.group(1)
        elif m := _BIN.search(text):
            self.next = m.group(1)
        elif "is picked" in text:
            self.next = f"/pick {self.orders.pop(0)}" if self.orders else "/pick"
        else:  # anything unexpected: carry on with the open pick
            self.next = "/pick"


def text_message(rnd: random.Random, mix: Mix) -> str:
    if rnd.random() < 0.6 or not mix.order_numbers:
        return rnd.choice(["how many {} do we have?", "do we have {} in stock?", "stock of {}"]).format(rnd.choice(mix.product_names))
    return rnd.choice(["where is order {}?", "status of order {}", "what's happening with order {}"]).format(rnd.choice(mix.order_numbers))
