"""`qm import KIND FILE [--dry-run]` and `qm export KIND [--format csv|xlsx] [--out FILE]`.

The import prints the report (bad rows with line numbers, ignored columns,
repairs), then as its last line the JSON summary; exit status 1 when the
file was refused. Progress goes to stderr.
"""
from __future__ import annotations

import json
import sys
from contextlib import asynccontextmanager
from pathlib import Path

KINDS_HELP = ("customers, contacts, products, barcodes, locations, suppliers, supplier_products, stock, orders, "
              "order_lines, purchase_orders, purchase_order_lines, boms, sales_history")


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import a CSV or XLSX file (all rows or none)",
                              description=f"KIND: {KINDS_HELP}")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--dry-run", action="store_true", help="validate and count only; change nothing")
    p.set_defaults(func=run_import)

    e = subparsers.add_parser("export", help="export a kind as CSV or XLSX (re-imports unchanged)",
                              description=f"KIND: {KINDS_HELP}")
    e.add_argument("kind", metavar="KIND")
    e.add_argument("--format", choices=["csv", "xlsx"], default=None, help="default: from --out's suffix, else csv")
    e.add_argument("--out", type=Path, default=None, help="default: CSV to standard output, XLSX to ./KIND.xlsx")
    e.set_defaults(func=run_export)


class _Bars:
    """One tqdm bar per phase, on stderr."""

    def __init__(self):
        self.bars = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        from tqdm import tqdm

        bar = self.bars.get(phase)
        if bar is None:
            for other in self.bars.values():
                other.close()
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit=" rows", file=sys.stderr, leave=False,
                                          mininterval=0.5, disable=None)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@asynccontextmanager
async def _database():
    """The settings and the migrated database's sessions, closed after the command."""
    from ..app import command_services
    from ._common import settings_or_exit

    settings = settings_or_exit()
    async with command_services(settings) as services:
        yield settings, services.uow.sessions


async def run_import(args) -> int:
    from domain.dataio import import_file
    from domain.errors import DomainError

    bars = _Bars()
    async with _database() as (settings, sessions):
        async with sessions() as session:
            try:
                summary = await import_file(session, args.kind, args.file, dry_run=args.dry_run, progress=bars,
                                            country=settings.company.country, budget=settings.limits.import_budget())
            except DomainError as exc:
                await session.rollback()
                bars.close()
                print(f"error: {exc}")
                print(json.dumps({"kind": args.kind, "rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": 1}))
                return 1
            bars.close()
            if summary.errors or args.dry_run:
                await session.rollback()
            else:
                await session.commit()
        text = summary.report.render()
        if text:
            print(text)
        if args.dry_run:
            print("dry run: nothing was changed")
        elif summary.errors:
            print(f"nothing was imported: {summary.errors} bad rows")
        print(summary.to_json())
        return 1 if summary.errors else 0


async def run_export(args) -> int:
    from domain.dataio import export_kind
    from domain.errors import DomainError

    fmt = args.format or ("xlsx" if args.out and args.out.suffix.lower() == ".xlsx" else "csv")
    out = args.out or (Path(f"{args.kind}.xlsx") if fmt == "xlsx" else sys.stdout)
    async with _database() as (settings, sessions):
        async with sessions() as session:
            try:
                n = await export_kind(session, args.kind, fmt, out)
            except DomainError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
        if out is sys.stdout:
            sys.stdout.flush()
        print(json.dumps({"kind": args.kind, "rows": n, "format": fmt, "file": None if out is sys.stdout else str(out)}),
              file=sys.stderr)
        return 0
