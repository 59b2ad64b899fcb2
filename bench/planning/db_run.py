"""The planning run end to end on a database: python -m bench.planning.db_run [--products 2000] [--url URL]

Fills a fresh database (SQLite file by default) with products, suppliers, stock
and a year of daily sales_history generated as in the math benchmark, then times
run_plan (reading, forecasting, policy, saving suggestions)."""
from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from domain.models import Location, Product, SalesHistory, StockQuant, Supplier, SupplierProduct, Warehouse
from domain.planning import run_plan
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade

from .generate import make_series


async def fill(engine, products: int, days: int, today: date) -> int:
    y, _ = make_series(products, days, seed=7)
    rng = np.random.default_rng(8)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(Warehouse), [{"code": "MAIN", "name": "Main", "allow_negative": False}])
        await conn.execute(sa.insert(Location), [{"warehouse_id": 1, "code": "A-01", "kind": "storage"}])
        await conn.execute(sa.insert(Supplier), [{"code": f"S{k}", "name": f"Supplier {k}", "currency": "EUR",
                                                  "requires_inspection": False} for k in range(1, 21)])
        await conn.execute(sa.insert(Product), [
            {"sku": f"SKU-{i:06d}", "name": f"Product {i}", "unit": "pcs", "aliases": "", "lot_tracked": False,
             "expiry_tracked": False, "requires_inspection": False, "currency": "EUR", "active": True}
            for i in range(1, products + 1)])
        await conn.execute(sa.insert(SupplierProduct), [
            {"supplier_id": int(rng.integers(1, 21)), "product_id": i, "currency": "EUR",
             "lead_time_days": int(rng.integers(3, 30)), "moq": float(rng.choice([1, 10, 50])),
             "pack_multiple": float(rng.choice([1, 6, 12])), "preferred": True, "price": 1.0}
            for i in range(1, products + 1)])
        mean = y.mean(axis=0)
        await conn.execute(sa.insert(StockQuant), [
            {"product_id": i + 1, "location_id": 1, "lot": "", "quantity": float(np.floor(mean[i] * rng.uniform(0, 40))),
             "reserved": 0.0} for i in range(products)])
        rows = [{"day": today - timedelta(days=days - int(t)), "warehouse_id": 1, "product_id": int(i) + 1,
                 "quantity": float(y[t, i])} for t, i in zip(*np.nonzero(y))]
        for a in range(0, len(rows), 50_000):
            await conn.execute(sa.insert(SalesHistory), rows[a:a + 50_000])
    return len(rows)


async def main_async(args) -> None:
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    today = datetime.now(timezone.utc).date()
    t0 = time.perf_counter()
    n_rows = await fill(engine, args.products, args.days, today)
    print(f"filled {engine.dialect.name}: {args.products:,} products, {n_rows:,} sales_history rows "
          f"in {time.perf_counter() - t0:.1f} s")
    async with session_factory(engine)() as session:
        t0 = time.perf_counter()
        steps = {}
        last = [t0, None]

        def progress(step, done, total):  # each call starts a step and ends the one before
            now = time.perf_counter()
            if last[1] is not None:
                steps[last[1]] = now - last[0]
            last[0], last[1] = now, step

        result = await run_plan(session, progress=progress)
        await session.commit()
        took = time.perf_counter() - t0
    await engine.dispose()
    tmp.cleanup()
    print(f"run_plan: {took:.2f} s for {result.products:,} products, {len(result.suggestions):,} suggestions "
          f"(" + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()) + "); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.planning.db_run")
    ap.add_argument("--products", type=int, default=2000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    asyncio.run(main_async(ap.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
