"""Export a kind in the columns its import reads, so an export re-imports unchanged.

Rows are streamed from the database (server-side cursor where there is one)
and written as they come: CSV (UTF-8) or XLSX (openpyxl write-only). In XLSX
codes, SKUs and phones stay text cells (no lost leading zeros), quantities
are numbers and dates are date cells.

Text that a spreadsheet would evaluate (=…, +…, -…, @…, or a tab/CR before one: a customer
named =HYPERLINK(…) typed in the chat) never becomes a formula: in XLSX it is a string cell
(data type forced, quote prefix set, so Excel and LibreOffice show it as typed, also after
editing); in CSV it gets a leading apostrophe, which the importer takes off again.
"""
from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput, N_
from .importer import get_kind
from .values import needs_quote, quote

FORMATS = ("csv", "xlsx")
YIELD_PER = 2000


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return quote(str(value))


def xlsx_cell(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


async def _rows(session: AsyncSession, kind_name: str):
    kind = get_kind(kind_name)
    stmt = kind.export_select().execution_options(yield_per=YIELD_PER)
    result = await session.stream(stmt)
    yield list(result.keys())
    async for part in result.partitions():
        for row in part:
            yield row


async def export_kind(session: AsyncSession, kind: str, fmt: str, out: str | Path | IO[str]) -> int:
    """Writes every row of the kind to out (a path, or a text stream for CSV); returns the row count."""
    if fmt not in FORMATS:
        raise InvalidInput(N_("Unknown format {fmt}; use csv or xlsx."), fmt=fmt)
    if fmt == "xlsx":
        if not isinstance(out, (str, Path)):
            raise InvalidInput(N_("An XLSX export needs a file name."))
        return await _export_xlsx(session, kind, Path(out))
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as f:
            return await _export_csv(session, kind, f)
    return await _export_csv(session, kind, out)


async def _export_csv(session, kind, f) -> int:
    writer = csv.writer(f, lineterminator="\n")
    n = -1
    async for row in _rows(session, kind):
        writer.writerow([csv_cell(c) for c in row])
        n += 1
    return n


async def _export_xlsx(session, kind, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind)
    n = -1
    async for row in _rows(session, kind):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=xlsx_cell(value))
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and needs_quote(value):
                cell.data_type = "s"  # openpyxl took the "=" for a formula
                cell.quotePrefix = True
            cells.append(cell)
        ws.append(cells)
        n += 1
    wb.save(path)
    return n
