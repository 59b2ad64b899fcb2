"""Hostile spreadsheets against validate_file, with the event loop watched:

    python -m bench.dataio.hostile loop        # a 40,000-row XLSX: time, longest loop gap, peak RSS
    python -m bench.dataio.hostile dimension   # the 4.7 KB file declaring A1:XFD1048576
    python -m bench.dataio.hostile bomb        # 0.8 MB unpacking to an 800 MB cell

Each on a fresh SQLite file; NOTICK=1 runs without the 10 ms ticker (the time alone). Run it in
an older checkout of the repository to get the figures before the budget (docs/reliability.md).
"""
from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from tests.hostile import xlsx as X

HEADER = ["sku", "name", "price"]


def build(which: str, tmp: Path) -> Path:
    if which == "loop":
        path = tmp / "products.xlsx"
        path.write_bytes(X.workbook([HEADER] + [[f"P{i}", f"Product {i}", 1.5] for i in range(40_000)]))
        return path
    if which == "dimension":
        return X.huge_dimension(tmp / "products.xlsx", [HEADER, ["A1", "Bolt", 1]])
    if which == "bomb":
        return X.cell_bomb(tmp / "products.xlsx", [HEADER, ["A1", "Bolt", 1]], megabytes=800)
    raise SystemExit(__doc__)


async def main(which: str) -> None:
    from domain.dataio import validate_file
    from storage.engine import create_engine, session_factory
    from storage.migrate import upgrade

    tmp = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'db.sqlite3'}")
    await upgrade(engine)
    path = build(which, tmp)
    gaps: list[float] = []
    done = asyncio.Event()
    began = time.perf_counter()

    async def ticker():
        last = began  # from the start of the import: a loop that never yields is one long gap
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker() if not os.environ.get("NOTICK") else asyncio.sleep(0))
    try:
        async with session_factory(engine)() as session:
            report = await validate_file(session, "products", path)
        outcome = f"accepted, {report.rows_read} rows"
    except Exception as exc:  # the point is to see what it says
        outcome = f"{type(exc).__name__}: {str(exc)[:100]}"
    took = time.perf_counter() - began
    done.set()
    await tick
    gaps.append(time.perf_counter() - (began + sum(gaps)))
    await engine.dispose()
    print(f"{which}: {path.stat().st_size:,} B, {took:.2f} s, longest loop gap {max(gaps) * 1000:.0f} ms over "
          f"{len(gaps)} ticks, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; {outcome}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else ""))
