"""The demo company: a believable small trading business with a year of history.

Deterministic (fixed seed), so tests and screenshots are repeatable. Stock on
hand goes in through the ledger (opening adjustment moves); the year of past
orders is history from before the go-live: delivered, with no moves of their own.
Every date is relative to the day the demo is seeded, so a demo started on any
day has open deals closing ahead, reminders due, overdue invoices and orders
reserved and waiting to be picked.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from .inventory.ledger import post_move, virtual_location
from .models import (
    Barcode, Contact, Customer, Deal, DealStageChange, Interaction, Invoice, Location, LocationKind, Payment, Product,
    PurchaseOrder, PurchaseOrderLine, Reminder, Role, SalesOrder, SalesOrderLine, Supplier, SupplierProduct,
    User, Warehouse,
)
from .numbering import next_number

SEED = 42

# Tables that fill up without anyone entering business data: conversations and update keys (a
# message to the bot), the outbox's pacing, and the audit log (written only alongside data).
NOT_BUSINESS = {"conversations", "processed_updates", "outbox_pace", "outbox_early_status", "audit_entries"}


async def has_business_data(session: AsyncSession) -> str | None:
    """The first table holding any business row (products, locations, stock, people, ...), or None
    when the database has none at all: only then may the demo company be loaded into it."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_BUSINESS:
            continue
        if (await session.exec(sa.select(sa.literal(1)).select_from(table).limit(1))).first() is not None:
            return table.name
    return None


def ean13(body12: str) -> str:
    digits = [int(c) for c in body12]
    check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
    return body12 + str(check)


def gtin14(indicator: int, ean: str) -> str:
    body = f"{indicator}{ean[:12]}"
    digits = [int(c) for c in body]
    check = (10 - (3 * sum(digits[0::2]) + sum(digits[1::2])) % 10) % 10
    return body + str(check)


CUSTOMERS = [
    ("ACME Ltd.", "Sofia", "BG", "en"), ("Blue Ocean Ltd", "Varna", "BG", "en"), ("Orbit Office OOD", "Sofia", "BG", "bg"),
    ("Балкан Трейд ЕООД", "Plovdiv", "BG", "bg"), ("Стройинвест АД", "Sofia", "BG", "bg"), ("Рила Маркет ООД", "Blagoevgrad", "BG", "bg"),
    ("Дунав Логистик ЕООД", "Ruse", "BG", "bg"), ("Черноморие ООД", "Burgas", "BG", "bg"), ("Тракия Офис ЕООД", "Stara Zagora", "BG", "bg"),
    ("ООО Северный Ветер", "Moscow", "RU", "ru"), ("ООО Альфа Снаб", "Saint Petersburg", "RU", "ru"), ("ООО Вектор", "Kazan", "RU", "ru"),
    ("ИП Смирнов", "Novosibirsk", "RU", "ru"), ("ООО Техномаркет", "Yekaterinburg", "RU", "ru"),
    ("Carpați Distribuție SRL", "Cluj-Napoca", "RO", "ro"), ("Delta Birotică SRL", "Bucharest", "RO", "ro"),
    ("Moldova Comerț SRL", "Iași", "RO", "ro"), ("Timiș Office SRL", "Timișoara", "RO", "ro"),
    ("上海华贸有限公司", "Shanghai", "CN", "zh"), ("深圳新科贸易", "Shenzhen", "CN", "zh"),
    ("Northwind Traders", "Sofia", "BG", "en"), ("Globex Corporation", "Varna", "BG", "en"), ("Initech EOOD", "Sofia", "BG", "en"),
    ("Umbrella Supplies", "Plovdiv", "BG", "en"), ("Stark Office", "Burgas", "BG", "en"), ("Wayne Paper Co.", "Sofia", "BG", "en"),
    ("Vitosha Print", "Sofia", "BG", "bg"), ("Pirin Hotels", "Bansko", "BG", "en"), ("Black Sea Cafés", "Varna", "BG", "en"),
    ("Lotus Dental", "Plovdiv", "BG", "en"), ("Sunrise School", "Sofia", "BG", "bg"), ("Maritsa Foods", "Plovdiv", "BG", "bg"),
    ("Iskar Auto", "Sofia", "BG", "bg"), ("Struma Build", "Pernik", "BG", "bg"), ("Yantra Textiles", "Veliko Tarnovo", "BG", "bg"),
    ("Danube Pharma", "Ruse", "BG", "en"), ("Rhodope Crafts", "Smolyan", "BG", "bg"), ("Osogovo Farms", "Kyustendil", "BG", "bg"),
    ("Emona Legal", "Sofia", "BG", "en"), ("Serdika IT", "Sofia", "BG", "en"), ("Nessebar Resorts", "Nessebar", "BG", "en"),
    ("Arda Logistics", "Kardzhali", "BG", "bg"), ("Kamchia Events", "Varna", "BG", "en"), ("Tundzha Print House", "Yambol", "BG", "bg"),
    ("Vidin Agro", "Vidin", "BG", "bg"), ("Lom River Trade", "Lom", "BG", "bg"), ("Shipka Security", "Gabrovo", "BG", "en"),
    ("Balchik Garden", "Balchik", "BG", "en"), ("Sozopol Marine", "Sozopol", "BG", "en"), ("Melnik Wines", "Melnik", "BG", "en"),
    ("Koprivshtitsa Museum Shop", "Koprivshtitsa", "BG", "bg"), ("Zlatni Pyasatsi Hotels", "Varna", "BG", "bg"),
]
FIRST_NAMES = {"en": ["John", "Anna", "Peter", "Kate", "Mark", "Lucy"], "bg": ["Иван", "Мария", "Георги", "Елена", "Петър", "Десислава"],
               "ru": ["Алексей", "Ольга", "Дмитрий", "Наталья", "Сергей", "Ирина"], "ro": ["Andrei", "Ioana", "Mihai", "Elena", "Radu", "Ana"],
               "zh": ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆"]}
LAST_NAMES = {"en": ["Smith", "Brown", "Taylor", "Wilson"], "bg": ["Иванов", "Петрова", "Георгиев", "Димитрова"],
              "ru": ["Иванов", "Смирнова", "Кузнецов", "Попова"], "ro": ["Popescu", "Ionescu", "Dumitru", "Stan"], "zh": ["", "", "", ""]}
TIMEZONES = {"BG": "Europe/Sofia", "RU": "Europe/Moscow", "RO": "Europe/Bucharest", "CN": "Asia/Shanghai"}
PHONE_PREFIX = {"BG": "+35988", "RU": "+7916", "RO": "+40722", "CN": "+86138"}

# (category, unit, price range, lot/expiry tracked, how many name forms: the first of ADJECTIVES)
_CATEGORIES = [
    ("paper", "box", (3, 40), False, 3),
    ("writing", "pcs", (0.5, 15), False, 3),
    ("furniture", "pcs", (40, 450), False, 2),
    ("hardware", "pcs", (0.3, 25), False, 3),
    ("electronics", "pcs", (3, 220), False, 2),
    ("cleaning", "pcs", (1, 12), True, 2),
    ("food", "pcs", (2, 30), True, 2),
    ("packaging", "pcs", (0.5, 35), False, 2),
]
# Each category's ten product names, one line a category.
_NAMES = dict(line.split(": ", 1) for line in """
paper: A4 copy paper 80g; A3 copy paper 80g; A4 photo paper glossy; A5 notepad; Sticky notes 76x76; Envelopes DL; Envelopes C4; Thermal rolls 57mm; Label rolls 100x150; Flipchart pad
writing: Blue ballpoint pen; Black gel pen; Red marker; Whiteboard marker set; Highlighter yellow; Pencil HB; Permanent marker black; Fountain pen; Correction tape; Eraser
furniture: Office chair ergonomic; Office desk 140cm; Filing cabinet; Bookshelf 5 shelves; Conference chair; Standing desk; Drawer unit; Coat stand; Visitor chair; Meeting table
hardware: Blue widget; Red widget; Steel bracket; Hinge 80mm; Door handle; Wood screws 4x40; Wall plugs 8mm; Cable ties 200mm; Padlock 40mm; Hook rail
electronics: USB-C cable 1m; HDMI cable 2m; Wireless mouse; Keyboard; Monitor 24in; Webcam HD; Headset; Power strip 5-way; AA batteries 4-pack; Laptop stand
cleaning: Hand soap 500ml; Disinfectant spray; Paper towels; Toilet paper 8 rolls; Trash bags 60l; Floor cleaner 1l; Glass cleaner; Microfiber cloths; Sponges 10-pack; Dish soap 1l
food: Coffee beans 1kg; Ground coffee 250g; Green tea 100 bags; Black tea 100 bags; Sugar sticks 500; Creamer 200 portions; Bottled water 0.5l x12; Biscuits assorted; Hot chocolate; Honey portions
packaging: Carton box 40x30x30; Carton box 60x40x40; Bubble wrap roll; Packing tape brown; Stretch film; Pallet wrap; Void fill paper; Mailer bags; Corner protectors; Strapping band
""".strip().splitlines())
# (category, unit, names, price range, lot/expiry tracked, how many name forms)
CATALOG = [(category, unit, _NAMES[category].split("; "), prices, tracked, forms)
           for category, unit, prices, tracked, forms in _CATEGORIES]
ADJECTIVES = ["", "Premium ", "Eco "]


@dataclass
class _Demo:
    """What the demo's sections share: the session, the seeded random source, the day it is
    built for, and what earlier sections made. The sections run in a fixed order, so the
    random draws (and with them every order number and quantity) are the same each time."""
    session: AsyncSession
    company: Any
    today: date
    rnd: random.Random = field(default_factory=lambda: random.Random(SEED))
    users: list = field(default_factory=list)
    warehouses: list = field(default_factory=list)
    bins: dict = field(default_factory=dict)
    picks: dict = field(default_factory=dict)
    products: list = field(default_factory=list)
    popularity: list = field(default_factory=list)
    suppliers: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    customers: list = field(default_factory=list)
    cust_weights: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    lines: list = field(default_factory=list)  # (order, line)
    interactions: list = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=365)

    @property
    def reps(self) -> list:
        return [u for u in self.users if u.role == Role.sales]


async def seed_demo(session: AsyncSession, *, company: Any, today: date | None = None) -> dict[str, int]:
    d = _Demo(session, company, today or datetime.now(timezone.utc).date())
    for section in (_people, _warehouses, _products, _suppliers, _customers, _orders, _opening_stock,
                    _reservations, _invoices, _purchase_orders, _interactions, _deals, _reminders):
        await section(d)
    await session.flush()
    return {"customers": len(d.customers), "products": len(d.products), "orders": len(d.orders), "interactions": len(d.interactions)}


async def _people(d: _Demo) -> None:
    d.users = [User(name=n, role=r, language=lang, timezone=d.company.timezone) for n, r, lang in [
        ("Elena Dimitrova", Role.manager, "en"), ("Maria Petrova", Role.sales, "bg"), ("Ivan Georgiev", Role.sales, "ru"),
        ("Georgi Ivanov", Role.warehouse, "bg"),
    ]]
    d.session.add_all(d.users)


async def _warehouses(d: _Demo) -> None:
    tz = d.company.timezone
    d.warehouses = [Warehouse(code="MAIN", name="Main warehouse Sofia", timezone=tz), Warehouse(code="NORTH", name="Varna depot", timezone=tz),
                    Warehouse(code="EAST", name="Plovdiv depot", timezone=tz)]
    d.session.add_all(d.warehouses)
    await d.session.flush()
    for wh in d.warehouses:
        aisles = 6 if wh.code == "MAIN" else 3
        locs: list[Location] = []
        for zone in ("A", "B"):
            for aisle in range(1, aisles + 1):
                for level in range(1, 5):
                    code = f"{zone}-{aisle:02d}-{level:02d}"
                    locs.append(Location(warehouse_id=wh.id, code=code, kind=LocationKind.storage, zone=zone,
                                         aisle=f"{aisle:02d}", level=f"{level:02d}", barcode=f"{wh.code}-{code}"))
        pick_faces = [Location(warehouse_id=wh.id, code=f"P-{a:02d}-{lv:02d}", kind=LocationKind.pick, zone="P", aisle=f"{a:02d}",
                               level=f"{lv:02d}", barcode=f"{wh.code}-P-{a:02d}-{lv:02d}") for a in range(1, 3) for lv in range(1, 5)]
        specials = [Location(warehouse_id=wh.id, code=c, kind=k, zone=c, barcode=f"{wh.code}-{c}")
                    for c, k in (("DOCK-IN", LocationKind.dock), ("DOCK-OUT", LocationKind.dock), ("QUARANTINE", LocationKind.quarantine), ("TRANSIT", LocationKind.transit))]
        d.session.add_all(locs + pick_faces + specials)
        d.bins[wh.code], d.picks[wh.code] = locs, pick_faces
    await d.session.flush()


async def _products(d: _Demo) -> None:
    rnd, products, popularity = d.rnd, d.products, d.popularity
    n = 0
    for category, unit, names, (lo, hi), tracked, forms in CATALOG:
        for adj in ADJECTIVES[:forms]:
            for name in names:
                n += 1
                if n > 200:
                    break
                sku = "WID-001" if name == "Blue widget" and not adj else f"{category[:3].upper()}-{n:03d}"
                price = Decimal(str(round(rnd.uniform(lo, hi) * (1.3 if adj else 1), 2)))
                products.append(Product(sku=sku, name=f"{adj}{name}".strip(), unit=unit, category=category, price=price,
                                        aliases="" if adj else PRODUCT_ALIASES.get(name, ""),
                                        lot_tracked=tracked, expiry_tracked=tracked, requires_inspection=category == "food" and adj != "",
                                        service_level=rnd.choice("AABBC")))
                popularity.append(rnd.paretovariate(1.2))
    while len(products) < 200:  # top up with hardware sizes
        n += 1
        products.append(Product(sku=f"HAR-{n:03d}", name=f"Bolt M{len(products) % 12 + 4}x{20 + len(products) % 5 * 10}", category="hardware",
                                price=Decimal("0.15"), service_level="C"))
        popularity.append(rnd.paretovariate(1.2))
    d.session.add_all(products)
    await d.session.flush()
    barcodes = []
    for i, p in enumerate(products):
        ean = ean13(f"380{1000000 + i * 37:07d}{i % 100:02d}"[:12])
        barcodes.append(Barcode(code=ean, product_id=p.id, pack_qty=Decimal(1)))
        if i % 4 == 0:  # outer carton of 10 with its own GTIN-14
            barcodes.append(Barcode(code=gtin14(1, ean), product_id=p.id, pack_qty=Decimal(10)))
    d.session.add_all(barcodes)


async def _suppliers(d: _Demo) -> None:
    d.suppliers = [Supplier(code=c, name=nm, currency=cur, phone=ph, email=f"orders@{c.lower()}.example.com") for c, nm, cur, ph in [
        ("NORD", "Nordic Supply", "EUR", "+4670123456"), ("BALK", "Balkan Wholesale", "BGN", "+35929876543"),
        ("DAC", "Dacia Import SRL", "RON", "+40213456789"), ("SINO", "Sino Trading Co.", "USD", "+862155556666"),
        ("OFFX", "OfficeX Distribution", "EUR", "+493012345678"), ("CLEAN", "CleanPro BG", "BGN", "+35932445566")]]
    d.suppliers[5].requires_inspection = False
    d.session.add_all(d.suppliers)
    await d.session.flush()
    by_category = {"paper": ["OFFX", "BALK"], "writing": ["OFFX", "SINO"], "furniture": ["NORD", "DAC"], "hardware": ["NORD", "SINO"],
                   "electronics": ["SINO", "OFFX"], "cleaning": ["CLEAN", "BALK"], "food": ["BALK", "DAC"], "packaging": ["NORD", "BALK"]}
    sup_by_code = {s.code: s for s in d.suppliers}
    for p in d.products:
        for k, code in enumerate(by_category.get(p.category or "hardware", ["NORD"])):
            lead = {"SINO": 21, "NORD": 7, "DAC": 10, "OFFX": 5, "BALK": 3, "CLEAN": 2}[code]
            d.terms.append(SupplierProduct(supplier_id=sup_by_code[code].id, product_id=p.id, price=(p.price or Decimal(1)) * Decimal("0.6"),
                                           currency=sup_by_code[code].currency, lead_time_days=lead + k * 2,
                                           moq=Decimal(d.rnd.choice([1, 10, 20, 50, 100])), pack_multiple=Decimal(d.rnd.choice([1, 5, 10, 12])),
                                           preferred=k == 0))
    d.session.add_all(d.terms)


async def _customers(d: _Demo) -> None:
    reps, warehouses = d.reps, d.warehouses
    await d.session.flush()
    for i, (name, city, country, lang) in enumerate(CUSTOMERS):
        phone = f"{PHONE_PREFIX[country]}{1000000 + i * 7919 % 8999999:07d}"
        d.customers.append(Customer(code=f"C{i + 1:04d}", name=name, city=city, country=country, language=lang,
                                    timezone=TIMEZONES[country], phone=phone, email=f"office{i + 1}@example.com",
                                    sms_consent=i % 5 != 3, tags=",".join(t for t in ("key" if i < 8 else "", "horeca" if "Hotel" in name or "Caf" in name else "") if t),
                                    home_warehouse_id=warehouses[0 if city in ("Sofia", "Pernik") else 1 if city in ("Varna", "Burgas") else 2].id,
                                    owner_id=reps[i % len(reps)].id))
    d.session.add_all(d.customers)
    await d.session.flush()
    contacts = []
    for i, c in enumerate(d.customers):
        lang = c.language or "en"
        for k in range(1 + i % 2):
            first, last = d.rnd.choice(FIRST_NAMES[lang]), d.rnd.choice(LAST_NAMES[lang])
            phone = c.phone if k == 0 else f"{PHONE_PREFIX[c.country]}{2000000 + i * 104729 % 7999999:07d}"
            contacts.append(Contact(customer_id=c.id, name=f"{first} {last}".strip(), phone=phone, role=["owner", "purchasing", "accounting"][k],
                                    sms_consent=c.sms_consent, email=f"contact{i}-{k}@example.com"))
    d.session.add_all(contacts)


async def _orders(d: _Demo) -> None:
    """A year of orders: seasonal, with fast and intermittent sellers."""
    rnd, today = d.rnd, d.today
    d.cust_weights = [rnd.paretovariate(1.1) for _ in d.customers]
    number = 1000
    for day_no in range(365):
        day = d.start + timedelta(days=day_no)
        if day.weekday() >= 5:
            continue
        season = 1 + 0.35 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 60) / 365) + (0.4 if day.month == 9 else 0)
        for _ in range(_poisson(rnd, 7 * season)):
            number += 1
            cust = rnd.choices(d.customers, d.cust_weights)[0]
            age = (today - day).days
            # the last week's orders are still open: shipped, confirmed (reserved below, ready to pick) or drafts
            status = "delivered" if age > 6 else rnd.choice(["shipped", "confirmed", "confirmed", "draft"])
            shipped_day = min(day + timedelta(days=rnd.randint(0, 2)), today)  # never after the day the demo starts
            shipped_at = datetime.combine(shipped_day, time(14), timezone.utc) if status in ("delivered", "shipped") else None
            order = SalesOrder(number=str(number), customer_id=cust.id, warehouse_id=cust.home_warehouse_id, status=status,
                               order_date=day, promised_date=day + timedelta(days=rnd.randint(1, 5)), shipped_at=shipped_at,
                               delivered_at=shipped_at + timedelta(days=1) if shipped_at and status == "delivered" else None,
                               created_by_id=cust.owner_id)
            d.orders.append(order)
            picked = rnd.choices(range(len(d.products)), d.popularity, k=rnd.randint(1, 4))
            for ln, p in enumerate((d.products[i] for i in dict.fromkeys(picked)), start=1):
                qty = Decimal(max(1, int(rnd.expovariate(1 / (3 if (p.price or 0) > 50 else 12)))))
                done = status in ("delivered", "shipped")
                d.lines.append((order, SalesOrderLine(order_id=0, line_no=ln, product_id=p.id, quantity=qty, price=p.price,
                                                      shipped_qty=qty if done else Decimal(0), picked_qty=qty if done else Decimal(0))))
    d.session.add_all(d.orders)
    await d.session.flush()
    for order, line in d.lines:
        line.order_id = order.id
    d.session.add_all([line for _, line in d.lines])


async def _opening_stock(d: _Demo) -> None:
    """Stock on hand, through the ledger: a few weeks of each product's sales, some out of stock."""
    adjustment = await virtual_location(d.session, LocationKind.adjustment)
    all_sales: dict[int, Decimal] = {}
    own_sales: dict[tuple[int, int], Decimal] = {}  # (warehouse, product): what a depot's customers bought
    for order, line in d.lines:
        all_sales[line.product_id] = all_sales.get(line.product_id, Decimal(0)) + line.quantity
        key = (order.warehouse_id, line.product_id)
        own_sales[key] = own_sales.get(key, Decimal(0)) + line.quantity
    warehouse_ids = {w.code: w.id for w in d.warehouses}
    for i, p in enumerate(d.products):
        for wh_code, share in (("MAIN", 1.0), ("NORTH", 0.3), ("EAST", 0.2)):
            yearly = float(all_sales.get(p.id, 0)) * share if wh_code == "MAIN" or i == 0 else \
                float(own_sales.get((warehouse_ids[wh_code], p.id), 0))
            # Weeks of cover: most products well stocked, some short and a few out, so a plan has
            # a short list to order rather than the whole catalogue. The first, A4 copy paper, is
            # what the help's examples ask about ("/stock A4 paper"): no draw is taken for it. The
            # depots stock everything their customers buy: ten weeks of it, every third product drawn.
            if i == 0:
                weeks = 4
            elif wh_code != "MAIN" and i % 3:
                weeks = 10
            else:
                weeks = d.rnd.choice([1, 3, 8, 10, 12, 14]) if i % 11 else 0
            qty = math.ceil(yearly / 52 * weeks)  # a slow seller in stock has at least one
            if qty <= 0:
                continue
            loc = d.bins[wh_code][(i * 7) % len(d.bins[wh_code])]
            lot, expiry = ("", None)
            if p.lot_tracked:
                lot, expiry = f"L{d.today:%y%m}{i:03d}", d.today + timedelta(days=d.rnd.randint(20, 400))
            await post_move(d.session, product_id=p.id, from_location=adjustment, to_location=loc, quantity=qty, reason="opening",
                            lot=lot, expiry=expiry, document="OPENING")
            if wh_code == "MAIN" and i < len(d.picks["MAIN"]):
                face = d.picks["MAIN"][i]
                face.fixed_product_id, face.min_qty, face.max_qty = p.id, Decimal(5), Decimal(40)


async def _reservations(d: _Demo) -> None:
    """The open orders reserve what is on hand: they are on the pick list, most urgent first."""
    from .inventory.reservations import reserve_order

    for order in sorted((o for o in d.orders if o.status == "confirmed"), key=lambda o: (o.promised_date, o.id)):
        await reserve_order(d.session, order)


async def _invoices(d: _Demo) -> None:
    """Invoices of the last two months: most paid, some open, some overdue."""
    owed: dict[int, Decimal] = {}
    for order, line in d.lines:
        owed[order.id] = owed.get(order.id, Decimal(0)) + line.quantity * (line.price or 0)
    invoices = []
    for order in d.orders:
        if order.shipped_at is None or (d.today - order.shipped_at.date()).days > 60:
            continue
        issued = order.shipped_at.date()
        amount = owed.get(order.id, Decimal(0)).quantize(Decimal("0.01"))
        paid = amount if (d.today - issued).days > 20 and d.rnd.random() < 0.8 else Decimal(0)
        invoices.append(Invoice(number=f"INV-{await next_number(d.session, 'invoice'):06d}", order_id=order.id,
                                customer_id=order.customer_id, issued_on=issued, due_on=issued + timedelta(days=14),
                                amount=amount, paid=paid, status="paid" if paid == amount else "open"))
    d.session.add_all(invoices)
    await d.session.flush()
    d.session.add_all([Payment(invoice_id=inv.id, amount=inv.paid, paid_on=inv.issued_on + timedelta(days=12), method="bank")
                       for inv in invoices if inv.paid > 0])


async def _purchase_orders(d: _Demo) -> None:
    """Purchase orders in flight from the first four suppliers."""
    pos = [PurchaseOrder(number=f"PO-{2601 + k}", supplier_id=sup.id, warehouse_id=d.warehouses[0].id, status="sent",
                         order_date=d.today - timedelta(days=3 + k), expected_date=d.today + timedelta(days=2 + k * 3))
           for k, sup in enumerate(d.suppliers[:4])]
    d.session.add_all(pos)
    await d.session.flush()
    po_lines = []
    for po in pos:
        sup_terms = [t for t in d.terms if t.supplier_id == po.supplier_id][:3]
        for ln, term in enumerate(sup_terms, start=1):
            po_lines.append(PurchaseOrderLine(po_id=po.id, line_no=ln, product_id=term.product_id,
                                              quantity=max(term.moq, Decimal(50)), price=term.price))
    d.session.add_all(po_lines)


async def _interactions(d: _Demo) -> None:
    rnd = d.rnd
    for day_no in range(0, 365, 1):
        when = datetime.combine(d.start + timedelta(days=day_no), time(9), timezone.utc)
        if when.weekday() >= 5:
            continue
        for _ in range(_poisson(rnd, 4)):
            c = rnd.choices(d.customers, d.cust_weights)[0]
            d.interactions.append(Interaction(customer_id=c.id, user_id=c.owner_id, channel=rnd.choice(["call", "call", "meeting", "email", "sms"]),
                                              direction=rnd.choice(["in", "out", "out"]), outcome=rnd.choice(["interested", "ordered", "no answer", "call back later", "sent offer"]),
                                              note=rnd.choice(["asked about prices", "wants a catalogue", "discussed delivery dates", "complained about a late delivery", "new office opening"]),
                                              occurred_at=when + timedelta(minutes=rnd.randint(0, 480))))
    d.session.add_all(d.interactions)


async def _deals(d: _Demo) -> None:
    rnd, today = d.rnd, d.today
    stages = ["new", "qualified", "proposal", "negotiation"]
    now = datetime.combine(today, time(8), timezone.utc)  # nothing in the demo happens after the morning it starts
    deals, changes = [], []
    for _ in range(90):
        c = rnd.choices(d.customers, d.cust_weights)[0]
        created = datetime.combine(d.start + timedelta(days=rnd.randint(0, 350)), time(10), timezone.utc)
        reach = rnd.choices(range(4), [30, 25, 25, 20])[0]
        outcome = rnd.choices(["open", "won", "lost"], [30, 40, 30])[0]
        final = stages[reach] if outcome == "open" else outcome
        deal = Deal(customer_id=c.id, owner_id=c.owner_id, title=f"{rnd.choice(['Office refit', 'Annual paper supply', 'New branch', 'Cleaning contract', 'Coffee corner', 'IT refresh'])} — {c.name}",
                    amount=Decimal(rnd.randrange(500, 40000, 250)), currency=d.company.currency, stage=final,
                    probability={"new": 10, "qualified": 30, "proposal": 50, "negotiation": 70, "won": 100, "lost": 0}[final],
                    # open deals close ahead of today; closed ones closed when they did
                    expected_close=(today + timedelta(days=rnd.randint(5, 60)) if outcome == "open"
                                    else (created + timedelta(days=rnd.randint(20, 30))).date()),
                    lost_reason=rnd.choice(["price too high", "chose a competitor", "no budget", "delivery time"]) if final == "lost" else None,
                    created_at=created, updated_at=created, closed_at=min(created + timedelta(days=30), now) if outcome != "open" else None)
        deals.append((deal, [s for s in stages[: reach + 1]] + ([outcome] if outcome != "open" else []), created))
    d.session.add_all([deal for deal, _, _ in deals])
    await d.session.flush()
    for deal, path, created in deals:
        prev = None
        for j, stage in enumerate(path):
            changes.append(DealStageChange(deal_id=deal.id, from_stage=prev, to_stage=stage, user_id=deal.owner_id,
                                           changed_at=min(created + timedelta(days=j * 6), now)))
            prev = stage
    d.session.add_all(changes)


async def _reminders(d: _Demo) -> None:
    """One overdue since yesterday, some due today, the rest this week."""
    reps, customers = d.reps, d.customers
    d.session.add_all([Reminder(user_id=reps[k % len(reps)].id, customer_id=customers[k].id, text=f"Call {customers[k].name} about the offer",
                                due_at=datetime.combine(d.today + timedelta(days=k % 5 - 1), time(8 + k % 3 * 4), timezone.utc))
                       for k in range(10)])


def _poisson(rnd: random.Random, lam: float) -> int:
    # Knuth's method; lam is small here
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1


# Names the demo company's staff use for its products in their languages (Product.aliases; importable like any alias).
PRODUCT_ALIASES = {
    "A4 copy paper 80g": "A4 paper, бумага А4, бумага А4 80г, копирна хартия А4, хартия А4, hârtie A4, hartie A4, hârtie copiator A4, A4复印纸, A4纸",
    "A3 copy paper 80g": "A3 paper, бумага А3, копирна хартия А3, хартия А3, hârtie A3, hartie A3, A3复印纸",
    "A4 photo paper glossy": "photo paper, фотобумага, фотохартия, hârtie foto, 相纸",
    "Sticky notes 76x76": "sticky notes, стикеры, лепящи листчета, notițe adezive, post-it, 便利贴",
    "Envelopes DL": "DL envelopes, конверты DL, пликове DL, plicuri DL, DL信封",
    "Envelopes C4": "C4 envelopes, конверты C4, пликове C4, plicuri C4, C4信封",
    "Thermal rolls 57mm": "thermal rolls, термолента, термоленты, термо ролки, role termice, 热敏纸",
    "Blue ballpoint pen": "blue pens, синие ручки, шариковые ручки, сини химикалки, химикалки, pixuri albastre, 蓝色圆珠笔, 圆珠笔",
    "Black gel pen": "gel pens, черные гелевые ручки, гелевые ручки, гел химикалки черни, гел химикалки, pixuri cu gel negre, pixuri cu gel, 黑色中性笔, 中性笔",
    "Whiteboard marker set": "whiteboard markers, маркеры для доски, маркери за бяла дъска, markere whiteboard, 白板笔",
    "Office chair ergonomic": "ergonomic chairs, office chairs, эргономичные кресла, офисные кресла, кресла эргономичные, ергономични столове, офис столове, scaune ergonomice, scaune de birou, 人体工学椅, 办公椅",
    "Office desk 140cm": "office desks, офисные столы, бюра, birouri, 办公桌",
    "Filing cabinet": "filing cabinets, шкафы для документов, шкаф для документов, шкафове за документи, fișete, 文件柜",
    "Standing desk": "standing desks, стол для работы стоя, бюро за стоене, birou reglabil, 升降桌",
    "Blue widget": "blue widgets, синий виджет, синие виджеты, сини джаджи, синя джаджа, widgeturi albastre, widget albastru, 蓝色小部件",
    "Red widget": "red widgets, красный виджет, красные виджеты, червени джаджи, widgeturi roșii, 红色小部件",
    "Steel bracket": "steel brackets, кронштейны стальные, стальные кронштейны, стоманени скоби, suporturi metalice, 钢支架",
    "Hinge 80mm": "hinges, петли, панти, balamale, 铰链",
    "Wood screws 4x40": "wood screws, саморезы по дереву, саморезы, винтове за дърво, șuruburi pentru lemn, 木螺丝",
    "Cable ties 200mm": "cable ties, стяжки, кабельные стяжки, кабелни връзки, coliere de cablu, 扎带",
    "USB-C cable 1m": "USB-C cables, кабели USB-C, USB-C кабели, cabluri USB-C, USB-C数据线",
    "HDMI cable 2m": "HDMI cables, HDMI кабели, кабели HDMI, cabluri HDMI, HDMI线",
    "Wireless mouse": "wireless mice, mice, беспроводные мыши, мышки, безжични мишки, mouse-uri wireless, 无线鼠标",
    "Keyboard": "keyboards, клавиатуры, клавиатури, tastaturi, 键盘",
    "Monitor 24in": "monitors, мониторы 24, мониторы, монитори, monitoare, 24寸显示器, 显示器",
    "Headset": "headsets, гарнитуры, слушалки, căști, 耳机",
    "Hand soap 500ml": "hand soap, жидкое мыло, мыло жидкое, мыло, течен сапун, сапун, săpun lichid, săpun de mâini, 洗手液",
    "Disinfectant spray": "дезинфицирующий спрей, дезинфектант спрей, spray dezinfectant, dezinfectant spray, 消毒喷雾",
    "Paper towels": "бумажные полотенца, хартиени кърпи, prosoape de hârtie, 擦手纸",
    "Toilet paper 8 rolls": "toilet paper, туалетная бумага, туалетную бумагу, тоалетна хартия, hârtie igienică, 卫生纸",
    "Trash bags 60l": "trash bags, мешки для мусора, чували за боклук, saci de gunoi, 垃圾袋",
    "Coffee beans 1kg": "coffee beans, кофе в зернах, кафе на зърна, cafea boabe, 咖啡豆",
    "Ground coffee 250g": "ground coffee, молотый кофе, мляно кафе, cafea măcinată, 咖啡粉",
    "Green tea 100 bags": "green tea, зеленый чай, зелен чай, зеления чай, ceai verde, 绿茶",
    "Black tea 100 bags": "black tea, черный чай, черен чай, ceai negru, 红茶",
    "Bottled water 0.5l x12": "bottled water, вода бутилированная, минерална вода, apă plată, apa plata, 瓶装水",
    "Carton box 40x30x30": "carton boxes, картонные коробки, кашони, картонени кутии, cutii de carton, 纸箱",
    "Bubble wrap roll": "bubble wrap, пузырчатая пленка, пузырчатую пленку, фолио с мехурчета, folie cu bule, 气泡膜",
    "Packing tape brown": "packing tape, скотч, скотч упаковочный, тиксо, bandă adezivă, 胶带",
    "Stretch film": "стрейч пленка, стрейч пленку, стрейч-пленка, стреч фолио, folie stretch, 缠绕膜",
}
