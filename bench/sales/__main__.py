"""How fast and how forgiving is the customer search a rep types into?

    python -m bench.sales [--customers 5000] [--queries 300]

Seeds N customers (each with one contact) into a fresh SQLite file, then looks
up names as a rep would type them: exact, lower case, a prefix, one typo, a
contact's name. Measured: latency (p50/p95) and hit rate (the meant customer
among the candidates shown) of domain.crm.customers.find_customers, against the
baseline a plain database search gives: SQL `LIKE '%query%'` on the name.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from domain.crm.customers import find_customers
from domain.models import Contact, Customer
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade

WORDS = ["Acme", "Blue", "Ocean", "Orbit", "Office", "Nordic", "Balkan", "Trade", "Print", "Vitosha", "Pirin", "Danube", "Rila",
         "Star", "Delta", "Alpha", "Vector", "Sun", "River", "Green", "Stone", "Metro", "Prime", "Nova", "Terra", "Atlas", "Logic",
         "Smart", "Royal", "Golden", "Silver", "Coast", "Mountain", "Valley", "Express", "Global", "United", "Pacific", "Eagle"]
FORMS = ["Ltd.", "OOD", "EOOD", "SRL", "LLC", "AD", "Co.", ""]
PEOPLE = ["John Smith", "Anna Petrova", "Ivan Georgiev", "Maria Ionescu", "Peter Brown", "Elena Dimitrova", "Kate Wilson"]


def typo(rnd: random.Random, word: str) -> str:
    i = rnd.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if rnd.random() < 0.5 else word[:i] + word[i + 1:]


async def main(n: int, queries: int) -> None:
    rnd = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        await upgrade(engine)
        sessions = session_factory(engine)
        cores: set[str] = set()  # distinct companies: no two differ only by their legal form
        while len(cores) < n:
            cores.add(" ".join(rnd.sample(WORDS, rnd.choice([2, 3, 3]))))
        names_l = sorted(f"{core} {rnd.choice(FORMS)}".strip() for core in cores)
        async with sessions() as s:
            rows = [Customer(code=f"C{i + 1:05d}", name=name, country="BG") for i, name in enumerate(names_l)]
            s.add_all(rows)
            await s.flush()
            s.add_all([Contact(customer_id=c.id, name=f"{rnd.choice(PEOPLE)} {i}") for i, c in enumerate(rows)])
            await s.commit()
            contacts = {c.customer_id: c.name for c in (await s.exec(select(Contact))).all()}
        cases = []
        for _ in range(queries):
            c = rnd.choice(rows)
            core = c.name.rsplit(" ", 1)[0] if c.name.split()[-1] in FORMS else c.name
            kind = rnd.choice(["exact", "lower", "prefix", "typo", "contact"])
            q = {"exact": c.name, "lower": core.lower(), "prefix": core[: max(4, len(core) * 2 // 3)],
                 "typo": typo(rnd, core) if len(core) > 4 else core, "contact": contacts[c.id]}[kind]
            cases.append((kind, q, c.id))

        async def run(search):
            hits, took = {}, []
            async with sessions() as s:
                for kind, q, cid in cases:
                    t0 = time.perf_counter()
                    found = await search(s, q)
                    took.append(time.perf_counter() - t0)
                    hits.setdefault(kind, []).append(cid in found)
            return hits, took

        async def fuzzy(s, q):
            return [m.customer.id for m in await find_customers(s, q)]

        async def like(s, q):  # baseline: what a plain search box does
            return list((await s.exec(select(Customer.id).where(func.lower(Customer.name).like(f"%{q.lower()}%")).limit(5))).all())

        await run(fuzzy)  # warm-up
        f_hits, f_took = await run(fuzzy)
        b_hits, b_took = await run(like)
        await engine.dispose()

    def rate(h):
        return sum(sum(v) for v in h.values()) / sum(len(v) for v in h.values())

    def ms(xs, q):
        return statistics.quantiles(xs, n=100)[q - 1] * 1000

    print(f"customer search over {n} customers (+{n} contacts), {queries} queries, SQLite file")
    print(f"{'':28}{'hit rate':>10}{'p50 ms':>9}{'p95 ms':>9}   per kind (hit rate)")
    for label, h, t in (("find_customers (rapidfuzz)", f_hits, f_took), ("baseline SQL LIKE %q%", b_hits, b_took)):
        kinds = " ".join(f"{k} {sum(v) / len(v):.0%}" for k, v in sorted(h.items()))
        print(f"{label:28}{rate(h):>10.1%}{ms(t, 50):>9.2f}{ms(t, 95):>9.2f}   {kinds}")
    print(f"ratio: fuzzy finds {rate(f_hits) / max(rate(b_hits), 1e-9):.2f}x as many, at {ms(f_took, 50) / ms(b_took, 50):.1f}x the p50 latency")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    asyncio.run(main(args.customers, args.queries))
