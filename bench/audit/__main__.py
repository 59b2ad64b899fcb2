"""What the audit log costs the writes it records.

    python -m bench.audit [--db sqlite|postgres|both] [--transactions 300] [--products 20000]

Two workloads, each run on a fresh database with the audit log on (the
application's sessions) and, as the named baseline in the same run, with it off
(storage.engine.session_factory(audited=False)); best of --repeat runs each,
alternating, so machine load hits both alike:

  orders   one transaction per order, the shape of a chat turn: a customer's order
           with 3 lines (flush), confirmed (flush), reserved and a line changed (commit)
  import   a products file of N new rows, then the same file with every 10th price changed
           (domain.dataio.import_file: bulk statements, logged per changed record)

Prints seconds per workload, the ratio audited / baseline, and the audit rows written.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from bench.dataio import generate
from domain.audit import Actor, acting_as
from domain.dataio import import_file
from domain.models import AuditEntry, Customer, Product, SalesOrder, SalesOrderLine
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade

PG_BASE = os.environ.get("QM_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


class FreshDatabase:
    def __init__(self, db: str, tmp: Path):
        self.db, self.tmp = db, tmp
        self.name = f"qm_bench_audit_{uuid.uuid4().hex[:8]}"

    async def __aenter__(self):
        if self.db == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / (self.name + '.sqlite3')}"
        else:
            await self._admin(f'CREATE DATABASE "{self.name}"')
            url = f"{PG_BASE}/{self.name}"
        self.engine = create_engine(url)
        await upgrade(self.engine)
        return self.engine

    async def __aexit__(self, *exc):
        await self.engine.dispose()
        if self.db == "postgres":
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @staticmethod
    async def _admin(sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_BASE.replace("+asyncpg", "") + "/postgres")
        await conn.execute(sql)
        await conn.close()


async def orders(engine, audited: bool, n: int, _tmp: Path) -> float:
    sessions = session_factory(engine, audited=audited)
    async with sessions() as s:
        customer, products = Customer(code="C1", name="Acme"), [Product(sku=f"P{i}", name=f"Product {i}") for i in range(3)]
        s.add_all([customer, *products])
        await s.commit()
    t0 = time.perf_counter()
    for i in range(n):
        async with sessions() as s:
            order = SalesOrder(number=str(1000 + i), customer_id=customer.id)
            s.add(order)
            await s.flush()
            lines = [SalesOrderLine(order_id=order.id, line_no=k + 1, product_id=p.id, quantity=Decimal(k + 1))
                     for k, p in enumerate(products)]
            s.add_all(lines)
            await s.flush()
            order.status = "confirmed"
            await s.flush()
            order.status, lines[0].quantity = "reserved", Decimal(9)
            await s.commit()
    return time.perf_counter() - t0


async def products_import(engine, audited: bool, n: int, tmp: Path) -> float:
    first = generate.products(tmp / "products.csv", n)
    second = tmp / "products2.csv"
    with open(first, encoding="utf-8", newline="") as src, open(second, "w", encoding="utf-8", newline="") as dst:
        rows = list(csv.reader(src))
        for i, row in enumerate(rows[1:]):
            if i % 10 == 0:
                row[6] = f"{Decimal(row[6]) + 1:.2f}"
        csv.writer(dst).writerows(rows)
    sessions = session_factory(engine, audited=audited)
    t0 = time.perf_counter()
    for path in (first, second):
        async with sessions() as s:
            await import_file(s, "products", path, country="BG")
            await s.commit()
    return time.perf_counter() - t0


async def audit_rows(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(AuditEntry.__table__))).scalar_one()


async def measure(db: str, workload, size: int, repeat: int) -> tuple[float, float, int]:
    best = {True: float("inf"), False: float("inf")}
    rows = 0
    with acting_as(Actor(channel="cli", name="bench")):
        for _ in range(repeat):
            for audited in (False, True):
                with tempfile.TemporaryDirectory() as tmp:
                    async with FreshDatabase(db, Path(tmp)) as engine:
                        best[audited] = min(best[audited], await workload(engine, audited, size, Path(tmp)))
                        if audited:
                            rows = await audit_rows(engine)
    return best[True], best[False], rows


async def main(args) -> None:
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"audit log overhead, best of {args.repeat} (baseline: the same work with the audit log off)")
    print(f"{'database':10}{'workload':34}{'audited s':>11}{'baseline s':>12}{'ratio':>8}{'audit rows':>12}")
    for db in dbs:
        for label, workload, size in ((f"orders: {args.transactions} transactions", orders, args.transactions),
                                      (f"import: {args.products} products + re-import", products_import, args.products)):
            on, off, rows = await measure(db, workload, size, args.repeat)
            print(f"{db:10}{label:34}{on:>11.2f}{off:>12.2f}{on / off:>8.2f}{rows:>12,}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    ap.add_argument("--transactions", type=int, default=300)
    ap.add_argument("--products", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=2)
    asyncio.run(main(ap.parse_args()))
