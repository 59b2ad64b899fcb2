"""Import, export and re-import every kind against a real database (SQLite or PostgreSQL)."""
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import func, select

from domain.dataio import export_kind, import_file, validate_file
from domain.models import (
    Barcode, Contact, Customer, Location, Product, SalesHistory, SalesOrder, StockMove, StockQuant, Warehouse,
)

from .helpers import FIXTURES, ORDER, load, load_all, write


async def count(session, model):
    return (await session.exec(select(func.count()).select_from(model))).one()


async def test_every_kind_round_trips_csv_and_xlsx(session, tmp_path):
    first = await load_all(session)
    for kind, s in first.items():
        assert s.errors == 0, (kind, s.report.render())
        assert s.created == s.rows > 0, (kind, s.as_dict())
    again = await load_all(session)
    for kind, s in again.items():
        assert (s.created, s.updated, s.unchanged) == (0, 0, s.rows), (kind, s.as_dict())

    for kind in ORDER:
        for fmt in ("csv", "xlsx"):
            out = tmp_path / f"{kind}.{fmt}"
            n = await export_kind(session, kind, fmt, out)
            assert n == first[kind].rows, kind
            s = await load(session, kind, out)
            assert s.as_dict() == {"kind": kind, "rows": n, "created": 0, "updated": 0, "unchanged": n, "errors": 0}, \
                (kind, fmt, s.report.render())


async def test_export_writes_the_import_columns(session, tmp_path):
    await load_all(session)
    out = tmp_path / "customers.csv"
    await export_kind(session, "customers", "csv", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,name,phone,email,city,country,language,timezone,tags,sms_consent,home_warehouse"
    assert lines[1] == 'C001,"Acme Trading, Ltd.",+359888123456,sales@acme.example,Sofia,BG,bg,Europe/Sofia,"vip,wholesale",true,MAIN'


async def test_messy_customers_are_cleaned(session):
    await load(session, "locations")
    s = await load(session, "customers")
    assert s.report.unknown_columns == ["legacy_id"]
    rows = {c.code: c for c in (await session.exec(select(Customer))).all()}
    assert rows["C001"].phone == "+359888123456" and rows["C001"].tags == "vip,wholesale" and rows["C001"].sms_consent
    assert rows["C002"].name == "ООО «Ромашка»" and rows["C002"].phone == "+74951234567" and rows["C002"].sms_consent
    assert rows["C002"].country == "RU"
    assert rows["C003"].name == "上海贸易有限公司" and rows["C003"].phone == "+862163218888"
    assert rows["C003"].email is None and not rows["C003"].sms_consent
    main = (await session.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
    assert rows["C001"].home_warehouse_id == main.id and rows["C002"].home_warehouse_id is None


async def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(session):
    s = await load(session, "products", FIXTURES / "products_bad.csv")
    assert s.as_dict() == {"kind": "products", "rows": 6, "created": 0, "updated": 0, "unchanged": 0, "errors": 5}
    by_line = {e.line: e.reason for e in s.report.rows}
    assert sorted(by_line) == [2, 3, 4, 5, 7]
    assert "name is empty" in by_line[3]
    assert "dot" in by_line[4]
    assert "maybe" in by_line[5]
    assert "also on line 7" in by_line[2] and "also on line 2" in by_line[7]
    assert await count(session, Product) == 0
    assert "line 4: price" in s.report.render()


async def test_a_database_error_midway_leaves_nothing(session, tmp_path):
    await load(session, "locations")
    # Two locations claiming the same barcode: valid rows, refused by the unique index.
    path = write(tmp_path, "loc.csv", "warehouse,code,barcode\nMAIN,B-1,X\nMAIN,B-2,X\n")
    before = await count(session, Location)
    try:
        await import_file(session, "locations", path)
        raise AssertionError("expected a conflict")
    except Exception as exc:
        assert "refused" in str(exc)
    await session.rollback()
    assert await count(session, Location) == before


async def test_dry_run_validates_and_counts_but_changes_nothing(session):
    s = await import_file(session, "products", FIXTURES / "products.csv", dry_run=True)
    await session.commit()
    assert (s.created, s.errors) == (5, 0)
    assert await count(session, Product) == 0
    await load(session, "products")
    await load(session, "locations")
    s = await import_file(session, "stock", FIXTURES / "stock.csv", dry_run=True)
    await session.commit()
    assert s.created == 4
    assert await count(session, StockMove) == 0


async def test_unknown_references_are_reported_per_line(session, tmp_path):
    await load(session, "locations")
    await load(session, "products")
    path = write(tmp_path, "sh.csv", "date,warehouse,sku,quantity\n2026-01-01,MAIN,WID-001,1\n2026-01-02,MAIN,NOPE,1\n"
                                     "2026-01-03,WEST,WID-001,1\n")
    report = await validate_file(session, "sales_history", path)
    assert [(e.line, e.reason) for e in report.rows] == [
        (3, "sku 'NOPE' is not a known product"), (4, "warehouse 'WEST' is not a known warehouse")]
    assert await count(session, SalesHistory) == 0


async def test_missing_required_column_refuses_the_file(session, tmp_path):
    path = write(tmp_path, "p.csv", "sku,price\nA,1\n")
    s = await load(session, "products", path)
    assert s.errors == 1 and s.report.rows[0].line == 1 and "name" in s.report.rows[0].reason


async def test_quoted_commas_and_line_breaks_keep_line_numbers(session, tmp_path):
    path = write(tmp_path, "p.csv", 'sku,name,price\nA,"Bolt, M8 ""hex""",1\nB,"two\nlines",x\nC,Ok,2\n')
    s = await load(session, "products", path)
    assert [(e.line, e.reason.split(":")[0]) for e in s.report.rows] == [(3, "price")]
    path.write_text('sku,name,price\nA,"Bolt, M8 ""hex""",1\nB,"two\nlines",1\nC,Ok,2\n', encoding="utf-8")
    s = await load(session, "products", path)
    assert s.created == 3
    names = {p.sku: p.name for p in (await session.exec(select(Product))).all()}
    assert names == {"A": 'Bolt, M8 "hex"', "B": "two lines", "C": "Ok"}  # a name is one line


async def test_semicolon_csv_from_excel_is_read(session, tmp_path):
    path = write(tmp_path, "p.csv", "\ufeffsku;name;price\nA;Widget, blue;1.5\n")
    s = await load(session, "products", path)
    assert s.created == 1
    p = (await session.exec(select(Product))).one()
    assert (p.name, p.price) == ("Widget, blue", Decimal("1.5"))


async def test_ean_codes_repaired_or_refused(session, tmp_path):
    await load(session, "products")
    path = write(tmp_path, "b.csv", "code,sku\n761830001239,WID-001\n4006381333931,WID-002\n")
    s = await load(session, "barcodes", path)
    assert s.created == 2 and "stored as 0761830001239" in s.report.render()
    codes = set((await session.exec(select(Barcode.code))).all())
    assert codes == {"0761830001239", "4006381333931"}
    bad = write(tmp_path, "bad.csv", "code,sku\n400638133393,WID-001\n0761830001239,WID-002\n761830001239,WID-001\n")
    s = await load(session, "barcodes", bad)
    lines = {e.line: e.reason for e in s.report.rows}
    assert "check digit" in lines[2]
    assert "also on line 4" in lines[3] and "also on line 3" in lines[4]  # the same code once repaired


async def test_duplicate_contacts_found_after_phone_normalisation(session, tmp_path):
    await load(session, "locations")
    await load(session, "customers")
    path = write(tmp_path, "c.csv", "customer_code,phone,name\nC001,0899 111 222,A\nC001,+359 899 111 222,B\n")
    s = await load(session, "contacts", path)
    assert [e.line for e in s.report.rows] == [2, 3]
    assert "phone=+359899111222" in s.report.rows[0].reason
    assert await count(session, Contact) == 0


async def test_xlsx_input_with_excel_dates_numbers_and_decimal_commas(session, tmp_path):
    await load(session, "locations")
    wb = Workbook()
    ws = wb.active
    ws.append(["SKU", "Name ", "Price", "Lot_Tracked", "Unit"])
    ws.append([10045, "Болт М8  ", "12,5", True, "pcs"])  # SKU typed as a number, decimal comma in a text cell
    ws.append(["TEA-01", "绿茶", 35.5, "нет", None])
    ws.append([None, None, None, None, None])  # blank row: skipped
    ws.append(["X-3", "Thing", "1 250,75", 0, "box"])
    p = tmp_path / "products.xlsx"
    wb.save(p)
    s = await load(session, "products", p)
    assert s.as_dict()["created"] == 3, s.report.render()
    rows = {x.sku: x for x in (await session.exec(select(Product))).all()}
    assert rows["10045"].name == "Болт М8" and rows["10045"].price == Decimal("12.5") and rows["10045"].lot_tracked
    assert rows["X-3"].price == Decimal("1250.75") and rows["TEA-01"].unit == "pcs"

    wb = Workbook()
    ws = wb.active
    ws.append(["date", "warehouse", "sku", "quantity"])
    ws.append([datetime(2026, 11, 1), "MAIN", 10045, 3])
    ws.append([46328, "MAIN", "TEA-01", "2,5"])  # Excel serial number of 2026-11-02
    ws.append(["2026-11-03", "MAIN ", "X-3", 1.25])
    ws.append(["not a date", "MAIN", "X-3", 1])
    p = tmp_path / "sh.xlsx"
    wb.save(p)
    s = await load(session, "sales_history", p)
    assert [(e.line, e.reason.split(":")[0]) for e in s.report.rows] == [(5, "date")]
    ws.delete_rows(5)
    wb.save(p)
    s = await load(session, "sales_history", p)
    assert s.created == 3
    got = {(h.day, h.quantity) for h in (await session.exec(select(SalesHistory))).all()}
    assert got == {(date(2026, 11, 1), Decimal(3)), (date(2026, 11, 2), Decimal("2.5")), (date(2026, 11, 3), Decimal("1.25"))}


async def test_stock_import_posts_adjustment_moves_and_quants_match(session, tmp_path):
    for kind in ("locations", "products"):
        await load(session, kind)
    s = await load(session, "stock")
    assert s.created == 4
    moves = (await session.exec(select(StockMove))).all()
    assert len(moves) == 4 and {m.reason for m in moves} == {"adjustment"}
    adjustment = (await session.exec(select(Location).where(Location.kind == "adjustment"))).one()
    assert {m.from_location_id for m in moves} == {adjustment.id}

    async def quants():
        stmt = (select(Location.code, Product.sku, StockQuant.lot, StockQuant.quantity, StockQuant.expiry)
                .join(Location, Location.id == StockQuant.location_id).join(Product, Product.id == StockQuant.product_id)
                .where(Location.warehouse_id.is_not(None)))
        return {(c, sku, lot): (q, e) for c, sku, lot, q, e in (await session.exec(stmt)).all()}

    assert await quants() == {
        ("A-01-01", "WID-001", ""): (Decimal(100), None),
        ("A-01-02", "WID-001", ""): (Decimal("12.5"), None),
        ("A-01-01", "MILK-1", "L2026-11"): (Decimal(40), date(2026, 12, 31)),
        ("DOCK-1", "WID-002", ""): (Decimal(7), None),
    }
    # A stock row sets the quantity: the move is the difference, back to the adjustment location.
    path = write(tmp_path, "st.csv", "warehouse,location,sku,quantity\nMAIN,A-01-01,WID-001,60\nMAIN,A-01-02,WID-001,12.5\n")
    s = await load(session, "stock", path)
    assert (s.created, s.updated, s.unchanged) == (0, 1, 1)
    last = (await session.exec(select(StockMove).order_by(StockMove.id.desc()))).first()
    assert last.quantity == Decimal(40) and last.to_location_id == adjustment.id
    assert (await quants())[("A-01-01", "WID-001", "")][0] == Decimal(60)
    assert (await load(session, "stock", path)).unchanged == 2
    assert await count(session, StockMove) == 5


async def test_orders_keep_their_status(session):
    for kind in ("locations", "customers", "products", "orders", "order_lines"):
        await load(session, kind)
    statuses = dict((await session.exec(select(SalesOrder.number, SalesOrder.status))).all())
    assert statuses == {"SO-1001": "confirmed", "SO-1002": "draft", "SO-1003": "shipped"}


async def test_reimporting_a_confirmed_order_keeps_its_reservation(session):
    for kind in ("locations", "customers", "products", "orders"):
        await load(session, kind)
    order = (await session.exec(select(SalesOrder).where(SalesOrder.number == "SO-1001"))).one()
    order.status = "reserved"  # as the reservation would leave it
    await session.commit()
    s = await load(session, "orders")
    assert (s.updated, s.unchanged) == (0, 3)
    await session.refresh(order)
    assert order.status == "reserved"
