"""`qm import` / `qm export` as a user runs them: a subprocess on a temporary SQLite file."""
import json
import os
import subprocess
import sys
from pathlib import Path

from .helpers import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def qm(tmp_path, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", "bot", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def summary(proc):
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_export_reimport(tmp_path):
    p = qm(tmp_path, "import", "products", FIXTURES / "products.csv")
    assert p.returncode == 0, p.stderr
    assert summary(p) == {"kind": "products", "rows": 5, "created": 5, "updated": 0, "unchanged": 0, "errors": 0}

    e = qm(tmp_path, "export", "products")
    assert e.returncode == 0, e.stderr
    assert e.stdout.splitlines()[0] == "sku,name,unit,category,lot_tracked,expiry_tracked,price,currency,service_level"
    assert "WID-002,\"Widget, large\",pcs" in e.stdout
    out = tmp_path / "p.xlsx"
    assert qm(tmp_path, "export", "products", "--format", "xlsx", "--out", out).returncode == 0
    again = qm(tmp_path, "import", "products", out)
    assert summary(again) == {"kind": "products", "rows": 5, "created": 0, "updated": 0, "unchanged": 5, "errors": 0}


def test_bad_file_exits_1_lists_rows_and_ends_with_the_summary(tmp_path):
    p = qm(tmp_path, "import", "products", FIXTURES / "products_bad.csv")
    assert p.returncode == 1
    lines = p.stdout.strip().splitlines()
    assert any(line.startswith("line 4: price") for line in lines)
    assert summary(p)["errors"] == 5 and summary(p)["created"] == 0
    assert "sku" in qm(tmp_path, "export", "products").stdout  # header only: nothing imported
    assert len(qm(tmp_path, "export", "products").stdout.strip().splitlines()) == 1


def test_dry_run_and_unknown_kind(tmp_path):
    p = qm(tmp_path, "import", "products", FIXTURES / "products.csv", "--dry-run")
    assert p.returncode == 0 and summary(p)["created"] == 5
    assert len(qm(tmp_path, "export", "products").stdout.strip().splitlines()) == 1
    bad = qm(tmp_path, "import", "widgets", FIXTURES / "products.csv")
    assert bad.returncode == 1 and "Unknown kind" in bad.stdout and summary(bad)["errors"] == 1
