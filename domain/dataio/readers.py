"""Streaming readers: a CSV or XLSX file as (line number, {column: cell}) pairs.

Nothing is held beyond the current row, so a million-row file costs no more
memory than a ten-row one. Header names are matched case-insensitively with
spaces trimmed; blank rows are skipped.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput, N_
from .budget import DEFAULT_BUDGET, ImportBudget, Meter, check_workbook

csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Table:
    path: Path
    format: str  # csv | xlsx
    header: list[str] = field(default_factory=list)
    total: int | None = None  # data rows, when cheaply known (for progress)
    budget: ImportBudget = DEFAULT_BUDGET
    meter: Meter | None = None  # cells and time of the current read

    @property
    def from_xlsx(self) -> bool:
        return self.format == "xlsx"


def detect_format(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InvalidInput(N_("{name} is not a readable XLSX workbook."), name=path.name)
    return "csv"


def normalise_header(cells) -> list[str]:
    return ["" if c is None else str(c).strip().lower().replace(" ", "_") for c in cells]


def open_table(path: str | Path, budget: ImportBudget = DEFAULT_BUDGET) -> Table:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(N_("File {name} not found."), name=str(path))
    table = Table(path=path, format=detect_format(path), budget=budget)
    table.meter = Meter(path.name, budget)  # one clock for the whole import, from here
    if table.format == "xlsx":
        check_workbook(path, budget)
    rows = iter_rows(table)
    try:
        next(rows)  # reads the header into table
    except StopIteration:
        pass
    rows.close()
    if not any(table.header):
        raise InvalidInput(N_("{name} has no header row."), name=path.name)
    return table


def iter_rows(table: Table) -> Iterator[tuple[int, dict]]:
    """Yields (line, row) for data rows; fills table.header first. Each pass over the file
    counts its cells against the budget; the clock runs from open_table."""
    meter = table.meter or Meter(table.path.name, table.budget)
    meter.cells = 0
    if table.format == "xlsx":
        yield from _xlsx_rows(table, meter)
    else:
        yield from _csv_rows(table, meter)


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _csv_rows(table: Table, meter: Meter):
    try:
        with open(table.path, encoding="utf-8-sig", newline="") as f:
            first = f.readline()
            # Excel in many European locales saves "CSV" with semicolons.
            delimiter = ";" if first.count(";") > first.count(",") else ","
            f.seek(0)
            reader = csv.reader(f, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                return
            table.header = normalise_header(header)
            if table.total is None:
                table.total = max(_count_lines(table.path) - 1, 0)
            width = len(table.header)
            yield 0, {}  # header read
            prev = reader.line_num
            for cells in reader:
                line = prev + 1  # where the record starts (a quoted field may span lines)
                prev = reader.line_num
                meter.count(len(cells))
                if not line & 1023:
                    meter.check_time()
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    yield line, {"__extra__": len(cells) - width}
                    continue
                yield line, {name: cells[i] for i, name in enumerate(table.header) if i < len(cells) and name}
    except csv.Error as exc:
        raise InvalidInput(N_("{name} is not a readable CSV file ({error})."), name=table.path.name, error=str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            N_("{name} is not UTF-8 text (byte {pos}); save it as 'CSV UTF-8' and try again."),
            name=table.path.name, pos=exc.start,
        ) from exc


def _xlsx_rows(table: Table, meter: Meter):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(table.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise InvalidInput(N_("{name} is not a readable XLSX workbook ({error})."), name=table.path.name, error=str(exc)) from exc
    try:
        ws = wb.worksheets[0]
        if table.total is None and ws.max_row:
            table.total = max(ws.max_row - 1, 0)
        # Rows as stored, not padded to the declared size: a sheet declaring A1:XFD1048576 with
        # one far cell would otherwise be walked as a million rows of 16,384 empty cells.
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        meter.count(len(header))
        table.header = normalise_header(header)
        yield 0, {}
        for line, cells in enumerate(rows, start=2):
            meter.count(len(cells))
            if not line & 1023:
                meter.check_time()
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            yield line, {name: cells[i] for i, name in enumerate(table.header) if i < len(cells) and name}
    except InvalidInput:
        raise
    except Exception as exc:  # broken XML inside the sheet (a control character, a cut-off part): the parser's many kinds
        raise InvalidInput(N_("{name} is not a readable XLSX workbook ({error})."), name=table.path.name,
                           error=str(exc)[:200]) from exc
    finally:
        wb.close()


def data_rows(table: Table) -> Iterator[tuple[int, dict]]:
    rows = iter_rows(table)
    for line, row in rows:
        if line:
            yield line, row
