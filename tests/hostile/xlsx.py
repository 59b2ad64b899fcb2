"""Hostile spreadsheets, built byte by byte: a workbook made by openpyxl, with parts replaced."""
from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def rebuild(data: bytes, path: Path, replace: dict[str, bytes | None] | None = None,
            big: dict[str, tuple[bytes, bytes, int, bytes]] | None = None) -> Path:
    """data with parts replaced (None: removed); big: part -> (head, chunk, times, tail), written in a stream."""
    replace, big = replace or {}, big or {}
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in big:
                continue
            body = replace.get(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, (head, chunk, times, tail) in big.items():
            with dst.open(name, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(times):
                    f.write(chunk)
                f.write(tail)
    return path


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return z.read(SHEET)


def huge_dimension(path: Path, rows: list[list]) -> Path:
    """The probe's 4.7 KB file: the sheet declares A1:XFD1048576 and has one cell at the far corner."""
    data = workbook(rows)
    xml = sheet_xml(data)
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    xml = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')
    return rebuild(data, path, {SHEET: xml})


def far_cells_without_dimension(path: Path, rows: list[list], far_rows: int) -> Path:
    """No <dimension>, and far_rows rows each with one cell in column XFD: every row is read
    16,384 cells wide."""
    data = workbook(rows)
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", sheet_xml(data))
    start = len(rows) + 1
    far = b"".join(b'<row r="%d"><c r="XFD%d" t="n"><v>1</v></c></row>' % (r, r) for r in range(start, start + far_rows))
    return rebuild(data, path, {SHEET: xml.replace(b"</sheetData>", far + b"</sheetData>")})


def cell_bomb(path: Path, rows: list[list], megabytes: int) -> Path:
    """A small file whose sheet unpacks to `megabytes` MB: one more row holding a single text cell of
    that size (openpyxl builds the whole string in memory)."""
    data = workbook(rows)
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", sheet_xml(data))
    head, tail = xml.split(b"</sheetData>")
    r = len(rows) + 1
    head += b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>' % (r, r)
    return rebuild(data, path, big={SHEET: (head, b"A" * (1 << 20), megabytes, b"</t></is></c></row></sheetData>" + tail)})


def _cell(ref: str, cell) -> bytes:
    from xml.sax.saxutils import escape

    if isinstance(cell, tuple):  # ("f", formula, cached value): a formula cell as Excel saves it
        return b'<c r="%s" t="str"><f>%s</f><v>%s</v></c>' % (ref.encode(), escape(cell[1]).encode(), escape(str(cell[2])).encode())
    if isinstance(cell, bool):
        return b'<c r="%s" t="b"><v>%d</v></c>' % (ref.encode(), int(cell))
    if isinstance(cell, (int, float)):
        return b'<c r="%s"><v>%s</v></c>' % (ref.encode(), repr(cell).encode())
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref.encode(), escape(cell).encode())


def formula_cells(path: Path, rows: list[list]) -> Path:
    """rows written by hand; a cell given as ("f", formula, cached) is a formula cell with its cached value."""
    from openpyxl.utils import get_column_letter

    data = workbook([["x"]])
    body = b"".join(b'<row r="%d">' % r + b"".join(_cell(f"{get_column_letter(c)}{r}", cell) for c, cell in enumerate(row, start=1))
                    + b"</row>" for r, row in enumerate(rows, start=1))
    xml = re.sub(rb"<sheetData>.*</sheetData>", lambda _: b"<sheetData>" + body + b"</sheetData>", sheet_xml(data), flags=re.S)
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml)
    return rebuild(data, path, {SHEET: xml})
