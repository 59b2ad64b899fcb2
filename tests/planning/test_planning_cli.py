"""`qm plan` end to end: a temporary SQLite database, the real CLI in a subprocess."""
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import load_workbook

from storage.engine import create_engine, session_factory
from storage.migrate import upgrade
from tests.planning.helpers import history, product, stock, supplier, terms, warehouse

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["sku", "warehouse", "supplier", "method", "forecast_per_day", "lead_time_days", "safety_stock",
        "reorder_point", "on_hand", "on_order", "reserved", "picked", "backordered", "projected", "suggested_qty", "reason"]


async def seed(url):
    engine = create_engine(url)
    await upgrade(engine)
    today = datetime.now(timezone.utc).date()
    async with session_factory(engine)() as session:
        wh = await warehouse(session)
        s = await supplier(session)
        for sku, daily, on_hand in [("A-1", [10, 14] * 100, 30), ("B-2", [0, 0, 0, 5] * 50, 0), ("C-3", [1] * 200, 500)]:
            p = await product(session, sku)
            await terms(session, p, s, moq=10, multiple=5)
            await history(session, p, wh, daily, today=today)
            if on_hand:
                await stock(session, p, wh, on_hand)
        await session.commit()
    await engine.dispose()


def qm(url, *args):
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "bot", "plan", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


async def test_plan_json_lines_follow_the_contract(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'plan.sqlite3'}"
    await seed(url)
    out = qm(url, "--json", "--xlsx", str(tmp_path / "plan.xlsx"), "--chart", str(tmp_path / "plan.png"))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    *suggestions, summary = lines
    assert [s["sku"] for s in suggestions] == ["B-2", "A-1"]  # C-3 has 500 days of cover
    for s in suggestions:
        assert list(s) == KEYS
        assert s["suggested_qty"] > 0 and s["suggested_qty"] % 5 == 0 and s["supplier"] == "NORD"
        assert s["reason"].startswith("Sells about ")
    assert suggestions[0]["method"] in ("croston", "sba")
    assert list(summary) == ["summary"]
    assert list(summary["summary"]) == ["products", "suggestions", "suppliers", "seconds"]
    assert summary["summary"]["products"] == 3 and summary["summary"]["suggestions"] == 2
    assert summary["summary"]["suppliers"] == 1
    wb = load_workbook(tmp_path / "plan.xlsx")
    assert wb.sheetnames == ["Suggestions", "All products", "Suppliers", "Chart"]
    assert wb["Suggestions"].max_row == 3
    assert (tmp_path / "plan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    human = qm(url, "--warehouse", "MAIN")
    assert human.returncode == 0, human.stderr
    assert "A-1 @ MAIN from NORD: order" in human.stdout and ". Order " in human.stdout
    bad = qm(url, "--warehouse", "NOPE")
    assert bad.returncode == 2 and "No warehouse with code NOPE" in bad.stderr
