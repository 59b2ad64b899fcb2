"""What one import may cost: cells read, bytes unpacked, seconds spent.

A spreadsheet is small on the wire and can be huge inside: a 4.7 KB XLSX whose sheet declares
A1:XFD1048576 made openpyxl pad a million empty rows to 16,384 columns each, and a 1.2 MB one
unpacked to 800 MB. The workbook is measured before it is opened (the zip's directory gives each
part's unpacked size; the sheet's <dimension> is in its first bytes), then the cells are counted
as they are read, and the clock is checked, so whatever gets past the first checks still stops.
"""
from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput, N_

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportBudget:
    max_cells: int = 10_000_000  # cells read (and declared by an XLSX sheet); a million rows of ten columns
    max_unpacked_bytes: int = 256 * MIB  # the XLSX's parts together, unpacked
    max_part_bytes: int = 64 * MIB  # one part other than a worksheet (shared strings, styles: held in memory)
    max_text_bytes: int = 1 * MIB  # one run of text in a sheet's XML (a cell: the parser holds it whole)
    max_seconds: float = 300.0  # reading, checking and loading together


DEFAULT_BUDGET = ImportBudget()

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def declared_cells(head: bytes) -> int | None:
    """Rows x columns of the <dimension ref="A1:XFD1048576"/> in the start of a worksheet's XML."""
    m = _DIMENSION.search(head)
    if m is None:
        return None
    c1, r1, c2, r2 = m.group(1), int(m.group(2)), m.group(3) or m.group(1), int(m.group(4) or m.group(2))
    return (abs(r2 - r1) + 1) * (abs(_column_number(c2) - _column_number(c1)) + 1)


def check_workbook(path: Path, budget: ImportBudget) -> None:
    """Refuses an XLSX whose parts unpack past the budget or whose sheets declare more cells than it allows."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > budget.max_unpacked_bytes:
                raise InvalidInput(N_("{name} unpacks to {size} MB; the limit is {limit} MB."), name=path.name,
                                   size=round(total / MIB), limit=round(budget.max_unpacked_bytes / MIB))
            for info in infos:
                sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                if not sheet and info.file_size > budget.max_part_bytes:
                    raise InvalidInput(N_("{name} unpacks to {size} MB; the limit is {limit} MB."), name=path.name,
                                       size=round(info.file_size / MIB), limit=round(budget.max_part_bytes / MIB))
                if sheet:
                    with zf.open(info) as f:
                        head = f.read(4096)
                        cells = declared_cells(head)
                        if cells is not None and cells > budget.max_cells:
                            raise InvalidInput(N_("{name} declares {cells} cells; at most {limit} can be imported."),
                                               name=path.name, cells=f"{cells:,}", limit=f"{budget.max_cells:,}")
                        _check_text_runs(path.name, head, f, budget.max_text_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InvalidInput(N_("{name} is not a readable XLSX workbook ({error})."), name=path.name, error=str(exc)) from exc


def _check_text_runs(name: str, head: bytes, f, limit: int) -> None:
    """Streams a sheet's XML (1 MiB at a time) looking for a run of text longer than limit: a single
    cell that large would be built whole in memory by the parser (an 800 MB name in a 1.2 MB file)."""
    run = 0
    chunk = head
    while chunk:
        parts = chunk.split(b"<")
        run += len(parts[0])
        longest = max(run, *(len(p) for p in parts[1:])) if len(parts) > 1 else run
        if longest > limit:
            raise InvalidInput(N_("{name} has a cell of more than {limit} MB; nothing was imported."),
                               name=name, limit=max(1, round(limit / MIB)))
        if len(parts) > 1:
            run = len(parts[-1])
        chunk = f.read(MIB)


class Meter:
    """Counts the cells read and watches the clock while a file is read."""

    def __init__(self, name: str, budget: ImportBudget):
        self.name, self.budget = name, budget
        self.cells = 0
        self.deadline = time.monotonic() + budget.max_seconds

    def count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.budget.max_cells:
            raise InvalidInput(N_("{name} has more than {limit} cells; split it into smaller files."),
                               name=self.name, limit=f"{self.budget.max_cells:,}")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise InvalidInput(N_("Reading {name} took longer than {seconds} s, so nothing was imported; split it into smaller files."),
                               name=self.name, seconds=round(self.budget.max_seconds))
