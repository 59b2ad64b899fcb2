"""Benchmark of the data import: python -m bench.dataio [--quick] [--skip-pg]

Generates 100,000 products and 1,000,000 sales_history rows (2 warehouses x
1,000 products x 500 days), imports them into a fresh SQLite file and a
throwaway PostgreSQL database (dropped afterwards), each import in its own
process so its peak RSS is its own. A 100,000-row sales_history import next to
the 1,000,000-row one shows whether memory grows with the file.

Baseline, measured in the same run: the naive per-row ORM upsert (look the key
up, insert or update, flush) on a 10,000-row slice of products (2,000 rows of
sales_history: three look-ups a row make it slow), extrapolated to the full
file; the ratio is extrapolated baseline seconds / import seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from . import generate

PG_BASE = os.environ.get("QM_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
ROOT = Path(__file__).resolve().parents[2]


def one(url: str, kind: str, path: Path, naive: int | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.dataio.one", url, kind, str(path)] + (["--naive", str(naive)] if naive else [])
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


async def _migrate(url: str) -> None:
    from storage.engine import create_engine
    from storage.migrate import upgrade

    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


async def _pg(action: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_BASE.replace("+asyncpg", "") + "/postgres")
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def line(label: str, r: dict, rows: int | None = None) -> str:
    rows = rows or r["rows"]
    s = r["summary"] if "summary" in r else {}
    counts = f"created {s.get('created', '-')}, unchanged {s.get('unchanged', '-')}" if s else "naive"
    return (f"  {label:<34} {rows:>9,} rows {r['seconds']:>7.1f} s {rows / r['seconds']:>9,.0f} rows/s "
            f"peak RSS {r['peak_rss_mb']:>6.1f} MB  ({counts})")


def run_database(name: str, url: str, files: dict, baseline_rows: int, reimport_full: bool) -> dict:
    print(f"\n{name}: {url.split('@')[-1]}", flush=True)
    asyncio.run(_migrate(url))
    one(url, "locations", files["locations"])
    out = {}
    out["products"] = r = one(url, "products", files["products"])
    print(line("products (new)", r), flush=True)
    r = one(url, "products", files["products"])
    print(line("products again (all unchanged)", r), flush=True)
    out["sales_small"] = r = one(url, "sales_history", files["sales_small"])
    print(line("sales_history (new, a tenth)", r), flush=True)
    out["sales"] = r = one(url, "sales_history", files["sales"])
    print(line("sales_history (new, full)", r), flush=True)
    if reimport_full:
        r = one(url, "sales_history", files["sales"])
        print(line("sales_history again (all unchanged)", r), flush=True)

    for kind, full, slice_file, n in (("products", out["products"]["rows"], files["naive_products"], baseline_rows),
                                      ("sales_history", out["sales"]["rows"], files["naive_sales"], baseline_rows // 5)):
        b = one(url, kind, slice_file, naive=n)
        per_row = b["seconds"] / b["rows"]
        extrapolated = per_row * full
        real = out["products" if kind == "products" else "sales"]["seconds"]
        print(f"  baseline naive per-row ORM upsert, {kind}: {b['rows']:,} rows in {b['seconds']:.1f} s "
              f"({b['rows'] / b['seconds']:,.0f} rows/s) -> {full:,} rows ~{extrapolated:,.0f} s; "
              f"import is {extrapolated / real:.1f}x faster", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.dataio")
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=500, help="sales_history days (x 1,000 products x 2 warehouses)")
    ap.add_argument("--baseline-rows", type=int, default=10_000)
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--reimport-full", action="store_true", help="also re-import the full sales_history (all unchanged)")
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.products, args.days, args.baseline_rows = args.products // 10, args.days // 10, args.baseline_rows // 10
    n_sales_products = 1000

    with tempfile.TemporaryDirectory(prefix="qm-bench-dataio-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        files = {
            "locations": generate.locations(tmp / "locations.csv"),
            "products": generate.products(tmp / "products.csv", args.products),
            "sales": generate.sales_history(tmp / "sales.csv", args.days, n_sales_products),
            "sales_small": generate.sales_history(tmp / "sales_small.csv", max(args.days // 10, 1), n_sales_products,
                                                  first_day=date(2020, 1, 1)),
            "naive_products": generate.products(tmp / "naive_products.csv", args.baseline_rows, start=args.products),
            "naive_sales": generate.sales_history(tmp / "naive_sales.csv", max(args.baseline_rows // (2 * n_sales_products), 1),
                                                  n_sales_products, first_day=date(2019, 1, 1)),
        }
        size = files["sales"].stat().st_size / 1e6
        print(f"generated files in {time.perf_counter() - t0:.1f} s (sales_history {size:.0f} MB); "
              f"machine: {os.cpu_count()} cores, shared and noisy (load {os.getloadavg()[0]:.1f})")

        run_database("SQLite", f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}", files, args.baseline_rows,
                     args.reimport_full)
        if not args.skip_pg:
            name = f"qm_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(_pg("create", name))
            try:
                run_database("PostgreSQL", f"{PG_BASE}/{name}", files, args.baseline_rows, args.reimport_full)
            finally:
                asyncio.run(_pg("drop", name))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
