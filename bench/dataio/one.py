"""One measured import in its own process, so peak RSS is this import's alone.

    python -m bench.dataio.one URL KIND FILE            # the real import (import_file)
    python -m bench.dataio.one URL KIND FILE --naive N  # baseline: per-row ORM upsert of the first N rows
Prints one JSON line: seconds, rows, peak RSS.
"""
from __future__ import annotations

import asyncio
import csv
import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from domain.dataio import import_file
from domain.dataio.values import boolean, day
from domain.models import Product, SalesHistory, Warehouse
from storage.engine import create_engine, session_factory


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def real(url: str, kind: str, path: Path) -> dict:
    engine = create_engine(url)
    t0 = time.perf_counter()
    async with session_factory(engine)() as session:
        summary = await import_file(session, kind, path, country="BG")
        await session.commit()
    seconds = time.perf_counter() - t0
    await engine.dispose()
    return {"seconds": seconds, "rows": summary.rows, "summary": summary.as_dict()}


async def naive(url: str, kind: str, path: Path, limit: int) -> dict:
    """What one writes first: for each row look the key up through the ORM, then insert or update it."""
    engine = create_engine(url)
    t0 = time.perf_counter()
    n = 0
    async with session_factory(engine)() as session:
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if n >= limit:
                    break
                n += 1
                if kind == "products":
                    p = (await session.exec(select(Product).where(Product.sku == row["sku"]))).first() or Product(sku=row["sku"], name="")
                    p.name, p.unit, p.category = row["name"], row["unit"], row["category"]
                    p.lot_tracked, p.expiry_tracked = boolean(row["lot_tracked"]), boolean(row["expiry_tracked"])
                    p.price, p.currency, p.service_level = Decimal(row["price"]), row["currency"], row["service_level"]
                    session.add(p)
                else:
                    wh = (await session.exec(select(Warehouse).where(Warehouse.code == row["warehouse"]))).one()
                    pr = (await session.exec(select(Product).where(Product.sku == row["sku"]))).one()
                    d = day(row["date"])
                    h = (await session.exec(select(SalesHistory).where(
                        SalesHistory.day == d, SalesHistory.warehouse_id == wh.id, SalesHistory.product_id == pr.id))).first()
                    h = h or SalesHistory(day=d, warehouse_id=wh.id, product_id=pr.id)
                    h.quantity = Decimal(row["quantity"])
                    session.add(h)
                await session.flush()
        await session.commit()
    seconds = time.perf_counter() - t0
    await engine.dispose()
    return {"seconds": seconds, "rows": n}


def main() -> None:
    url, kind, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if "--naive" in sys.argv:
        out = asyncio.run(naive(url, kind, path, int(sys.argv[sys.argv.index("--naive") + 1])))
    else:
        out = asyncio.run(real(url, kind, path))
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
