"""A/B in one process, same database, interleaved: product search and the pick step read of an
older commit (default 3086c50, before the cuts) against the current code
checks the answers agree.

    python -m bench.e2e.ab_cuts [--old COMMIT]
"""
import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
import importlib.util
import statistics
from pathlib import Path
from bench.e2e import mix as mixes
from storage.engine import create_engine, session_factory

def load(name, path, pkg):
    spec = importlib.util.spec_from_file_location(f"{pkg}.{name}", path, submodule_search_locations=None)
    m = importlib.util.module_from_spec(spec)
    m.__package__ = pkg
    sys.modules[spec.name] = m
    spec.loader.exec_module(m)
    return m

def old_source(commit: str, path: str) -> str:
    out = Path(tempfile.mkdtemp()) / Path(path).name
    out.write_text(subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, text=True, check=True).stdout)
    return str(out)


async def main(commit: str):
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/ab.sqlite3"
    m = await mixes.prepare(url, n_text=1, n_pick=1, n_photo=1, orders_each=1)
    import domain.search as new_s
    import domain.inventory.picking as new_p
    old_s = load("search_old", old_source(commit, "domain/search.py"), "domain")
    old_p = load("picking_old", old_source(commit, "domain/inventory/picking.py"), "domain.inventory")
    eng = create_engine(url)
    S = session_factory(eng)
    from sqlmodel import select
    from domain.models import PickList
    async with S() as s:
        pid = (await s.exec(select(PickList.id))).first()
        if pid is None:
            from domain.models import SalesOrder, User
            from domain.inventory.picking import start_pick
            o = (await s.exec(select(SalesOrder).where(SalesOrder.number.like("PB-%")))).first()
            u = (await s.exec(select(User).where(User.telegram_id == m.pick_users[0]))).first()
            pid = (await start_pick(s, o, u)).pick_list_id
            await s.commit()
    queries = [f"how many {n}" for n in m.product_names[:10]] + m.product_names[:10] + ["a4 papr", "envelops"]
    res = {k: [] for k in ("search old", "search new", "pick step old (whole list)", "pick step new (first task)")}
    for rnd in range(5):
        for label, fn in (("search old", old_s.find_products), ("search new", new_s.find_products)):
            async with S() as s:
                t0 = time.process_time()
                for q in queries:
                    await fn(s, q)
                res[label].append((time.process_time() - t0) / len(queries) * 1000)
        for label, fn in (("pick step old (whole list)", old_p.current_pick_step), ("pick step new (first task)", new_p.expected_pick_step)):
            async with S() as s:
                t0 = time.process_time()
                for _ in range(20):
                    await fn(s, pid)
                res[label].append((time.process_time() - t0) / 20 * 1000)
    # same answers
    async with S() as s:
        for q in queries:
            a = [(x.product.id, x.score) for x in await old_s.find_products(s, q)]
            b = [(x.product.id, x.score) for x in await new_s.find_products(s, q)]
            assert a == b, (q, a, b)
    for k, v in res.items():
        print(f"{k:<28} CPU per call: median {statistics.median(v):.2f} ms (min {min(v):.2f}, max {max(v):.2f}, 5 rounds)")
if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default="3086c50")
    asyncio.run(main(ap.parse_args().old))
