"""Import a data file: validate all of it, then load all of it, or nothing.

Two streaming passes, a chunk of rows at a time:

1. validate: parse every cell, resolve every code against the database,
   keep a 64-bit hash of each natural key in temporary files to find keys
   given twice; the parsed chunks go to a temporary file too, so the file
   is parsed only once and memory does not grow with it;
2. load (only when the whole file is valid): read the parsed chunks back,
   compare each with the stored rows by key, upsert what differs with the
   database's INSERT ... ON CONFLICT DO UPDATE (domain/database.py). With dry_run the counts are
   made and nothing is written.

Reading and parsing run in a worker thread, a chunk at a time, so the event loop (and every
other conversation) keeps going while a big or hostile file is read; the file is held to an
ImportBudget (budget.py): cells, unpacked bytes, seconds.

Everything is written in the caller's session; the caller commits.
"""
from __future__ import annotations

import asyncio
import gc
import pickle
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ..database import Database, database_of
from ..errors import Conflict, InvalidInput, N_, Np_
from .kind_labels import kind_label
from .kinds import KINDS, Column, Kind, Row, make_lookups
from .budget import DEFAULT_BUDGET, ImportBudget
from .lookups import Lookup
from .readers import Table, data_rows, open_table
from .reasons import Reason, joined
from .report import Report, Summary

CHUNK = 5000

Progress = Callable[[str, int, "int | None"], None]  # (phase, rows done, rows in file or None)


@dataclass
class ImportContext:
    session: AsyncSession
    kind: Kind
    table: Table
    report: Report
    summary: Summary
    country: str | None  # region for phone numbers written without +country code
    write: bool = False
    lookups: dict[str, Lookup] = field(default_factory=make_lookups)
    selects: dict = field(default_factory=dict)
    was_empty: dict[str, bool] = field(default_factory=dict)  # kind -> its table was empty when loading began
    from_xlsx: bool = False  # compiled look-ups of stored rows, per kind and fields
    present: list[Column] = field(default_factory=list)
    plan: list[tuple] = field(default_factory=list)
    required: list[Column] = field(default_factory=list)
    header_set: set[str] = field(default_factory=set)
    confirmed_numbers: set[str] = field(default_factory=set)
    confirmed_ids: set[int] = field(default_factory=set)

    @property
    def database(self) -> Database:
        return database_of(self.session)

    @property
    def document(self) -> str:
        return f"import:{self.kind.name}:{self.table.path.name}"[:200]


@contextmanager
def _fewer_gc_pauses():
    """A big import allocates millions of short-lived, acyclic objects: with the default
    threshold the cycle collector runs every 700 allocations and took over half the
    time. Reference counting frees these rows anyway; memory stays flat."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput(N_("Unknown kind {kind}; one of: {kinds}."), kind=name, kinds=", ".join(KINDS)) from None


async def _context(session, kind_name: str, path, country: str | None, budget: ImportBudget) -> ImportContext:
    kind = get_kind(kind_name)
    table = await asyncio.to_thread(open_table, path, budget)
    report = Report(kind=kind.name)
    ctx = ImportContext(session=session, kind=kind, table=table, report=report,
                        summary=Summary(kind=kind.name, report=report), country=country)
    ctx.from_xlsx = table.from_xlsx
    header = [h for h in table.header if h]
    ctx.header_set = set(header)
    known = set(kind.column_names)
    report.unknown_columns = [h for h in header if h not in known]
    ctx.present = [c for c in kind.columns if c.name in ctx.header_set]
    ctx.plan = kind.parse_plan(ctx.present)
    ctx.required = [c for c in kind.columns if c.required]
    missing = [c.name for c in ctx.required if c.name not in ctx.header_set]
    if missing:
        report.add_error(1, Reason(Np_("missing column: {columns}", "missing columns: {columns}", "n"),
                                   columns=", ".join(missing), n=len(missing)))
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        report.add_error(1, Reason(Np_("column given twice: {columns}", "columns given twice: {columns}", "n"),
                                   columns=", ".join(twice), n=len(twice)))
    return ctx


async def _chunks(ctx: ImportContext, phase: str, progress: Progress | None, only_lines: set[int] | None = None):
    """Parsed and resolved rows, a chunk at a time."""
    kind = ctx.kind
    done = 0
    rows = data_rows(ctx.table)

    def read_chunk() -> list[Row]:
        """Up to CHUNK parsed rows (runs in a worker thread: reading XLSX/CSV is all CPU)."""
        buf: list[Row] = []
        for line, raw in rows:
            if only_lines is not None and line not in only_lines:
                continue
            if "__extra__" in raw:
                row = Row(line)
                row.errors.append(Reason(Np_("{n} more cell than the header has columns (a comma in an unquoted field?)",
                                             "{n} more cells than the header has columns (a comma in an unquoted field?)", "n"),
                                         n=raw["__extra__"]))
            else:
                row = kind.parse(ctx, line, raw)
            buf.append(row)
            if len(buf) >= CHUNK:
                break
        return buf

    try:
        while buf := await asyncio.to_thread(read_chunk):
            good = [r for r in buf if not r.errors]
            if good:
                await kind.resolve(ctx, good)
            yield buf
            done += len(buf)
            if progress:
                progress(phase, done, ctx.table.total)
            if len(buf) < CHUNK:
                break
    finally:
        await asyncio.to_thread(rows.close)  # closes the workbook in the thread that read it


class KeyHashes:
    """A 64-bit hash and the line of every valid row, to find natural keys given twice.

    Pairs are spread over temporary files by hash, about PER_BUCKET rows each,
    and each file is sorted on its own: memory stays the same for a file of a
    thousand rows or of ten million.
    """

    PER_BUCKET = 1 << 16

    def __init__(self, expected_rows: int | None):
        self.n = (expected_rows // self.PER_BUCKET + 1) if expected_rows is not None else 16
        self.files = [tempfile.TemporaryFile() for _ in range(self.n)]
        self.hashes, self.lines = array("q"), array("q")

    def add(self, h: int, line: int) -> None:
        self.hashes.append(h)
        self.lines.append(line)
        if len(self.hashes) >= self.PER_BUCKET:
            self._flush()

    def _flush(self) -> None:
        if not self.hashes:
            return
        pairs = np.column_stack([np.frombuffer(self.hashes, dtype=np.int64), np.frombuffer(self.lines, dtype=np.int64)])
        bucket = pairs[:, 0].view(np.uint64) % np.uint64(self.n)
        for i in np.unique(bucket):
            self.files[int(i)].write(pairs[bucket == i].tobytes())
        self.hashes, self.lines = array("q"), array("q")

    def candidate_lines(self) -> set[int]:
        """Lines whose key hash equals another's (almost surely the same key)."""
        self._flush()
        out: set[int] = set()
        for f in self.files:
            f.seek(0)
            pairs = np.frombuffer(f.read(), dtype=np.int64).reshape(-1, 2)
            if len(pairs) < 2:
                continue
            pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
            same = np.nonzero(pairs[1:, 0] == pairs[:-1, 0])[0]
            out.update(int(x) for x in pairs[same, 1])
            out.update(int(x) for x in pairs[same + 1, 1])
        return out

    def close(self) -> None:
        for f in self.files:
            f.close()


async def _validate(ctx: ImportContext, progress: Progress | None, spill: IO[bytes]) -> None:
    """Pass 1: every row parsed and resolved; good chunks are spilled to disk for the load."""
    report, kind = ctx.report, ctx.kind
    keys = KeyHashes(ctx.table.total)
    rows = 0
    try:
        async for chunk in _chunks(ctx, "validating", progress):
            rows += len(chunk)
            good = []
            for r in chunk:
                if r.errors:
                    report.add_error(r.line, joined(r.errors))
                else:
                    keys.add(hash(kind.natural_key(r)), r.line)
                    good.append(r)
                for note in r.notes:
                    report.add_note(r.line, note)
            if report.ok and good:
                _dump(spill, good)
        report.rows_read = rows
        await _report_duplicates(ctx, keys.candidate_lines())
    finally:
        keys.close()
    report.rows.sort(key=lambda e: e.line)
    report.notes.sort(key=lambda e: e.line)


def _dump(spill: IO[bytes], rows: list[Row]) -> None:
    # Column names once per chunk, values as tuples: several times faster to pickle than dicts.
    vkeys, rkeys = list(rows[0].values), list(rows[0].record)
    pickle.dump((vkeys, rkeys, [(r.line, tuple(r.values.values()), tuple(r.record.values())) for r in rows]),
                spill, protocol=pickle.HIGHEST_PROTOCOL)


def _spilled(spill: IO[bytes]):
    spill.seek(0)
    while True:
        try:
            vkeys, rkeys, items = pickle.load(spill)
        except EOFError:
            return
        chunk = []
        for line, vals, rec in items:
            r = Row(line)
            r.values = dict(zip(vkeys, vals))
            r.record = dict(zip(rkeys, rec))
            chunk.append(r)
        yield chunk


async def _report_duplicates(ctx: ImportContext, candidates: set[int]) -> None:
    if not candidates:
        return
    # Equal hashes are almost surely equal keys; re-read those few rows to be sure.
    groups: dict[tuple, list[int]] = defaultdict(list)
    async for chunk in _chunks(ctx, "checking duplicates", None, only_lines=candidates):
        for r in chunk:
            if not r.errors:
                groups[ctx.kind.natural_key(r)].append(r.line)
    names = ctx.kind.key
    for key, at in groups.items():
        if len(at) < 2:
            continue
        shown = ", ".join(f"{n}={k!s}" for n, k in zip(names, key) if k not in (None, ""))
        for line in at:
            others = [str(o) for o in at if o != line]
            ctx.report.add_error(line, Reason(Np_("duplicate key ({key}): also on line {lines}",
                                                  "duplicate key ({key}): also on lines {lines}", "n"),
                                              key=shown, lines=", ".join(others), n=len(others)))


async def _load(ctx: ImportContext, progress: Progress | None, spill: IO[bytes]) -> None:
    """Pass 2: the validated rows, compared with the stored ones and (unless dry-run) written."""
    phase = "importing" if ctx.write else "comparing"
    try:
        for chunk in _spilled(spill):
            ctx.table.meter.check_time()
            ctx.summary.rows += len(chunk)
            await ctx.kind.load(ctx, chunk)
            if progress:
                progress(phase, ctx.summary.rows, ctx.report.rows_read)
        if ctx.write:
            await ctx.kind.finish(ctx)
            await ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(N_("The database refused the {kind} file: {error}"), kind=kind_label(ctx.kind.name),
                       error=str(exc.orig).splitlines()[0]) from exc


async def validate_file(session: AsyncSession, kind: str, path: str | Path, *, country: str | None = None,
                        progress: Progress | None = None, budget: ImportBudget = DEFAULT_BUDGET) -> Report:
    """Checks every row of the file against its kind and the database; changes nothing."""
    ctx = await _context(session, kind, path, country, budget)
    if ctx.report.ok:
        with tempfile.TemporaryFile() as spill, _fewer_gc_pauses():
            await _validate(ctx, progress, spill)
    return ctx.report


async def import_file(session: AsyncSession, kind: str, path: str | Path, dry_run: bool = False,
                      progress: Progress | None = None, *, country: str | None = None,
                      budget: ImportBudget = DEFAULT_BUDGET) -> Summary:
    """Upserts the file's rows by natural key, all or nothing; the caller commits.

    With any bad row nothing is written and the summary carries the report.
    country: region (ISO code) for local phone numbers whose row names none: pass the company's
    country; without it such numbers must be written internationally (+359...).
    """
    ctx = await _context(session, kind, path, country, budget)
    summary = ctx.summary
    summary.dry_run = dry_run
    with tempfile.TemporaryFile() as spill, _fewer_gc_pauses():
        if ctx.report.ok:
            await _validate(ctx, progress, spill)
        if not ctx.report.ok:
            summary.rows = ctx.report.rows_read
            summary.errors = ctx.report.errors
            return summary
        ctx.write = not dry_run
        async with ctx.database.bulk_loading(await session.connection()):
            await _load(ctx, progress, spill)
    return summary
