"""Synthetic data files of a realistic shape for the import benchmark (deterministic)."""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

NAMES = ["Widget", "Болт М8", "螺丝刀", "Mutter, verzinkt", "Cable 3x1.5", "Мляко 1л", "绿茶 100g", "Screw \"hex\""]


def sku(i: int) -> str:
    return f"SKU-{i:06d}"


def products(path: Path, n: int, start: int = 0) -> Path:
    rnd = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sku", "name", "unit", "category", "lot_tracked", "expiry_tracked", "price", "currency", "service_level"])
        for i in range(start, start + n):
            w.writerow([sku(i), f"{rnd.choice(NAMES)} {i}", "pcs", f"cat-{i % 40}", rnd.choice(["yes", "no"]),
                        "no", f"{rnd.randint(1, 99999) / 100:.2f}", "EUR", "ABC"[i % 3]])
    return path


def locations(path: Path, warehouses=("MAIN", "EAST")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["warehouse", "code"])
        for wh in warehouses:
            w.writerow([wh, "A-01-01"])
    return path


def sales_history(path: Path, days: int, n_products: int, warehouses=("MAIN", "EAST"), first_day=date(2024, 1, 1)) -> Path:
    """days x products x warehouses rows: one per day, product and warehouse."""
    rnd = random.Random(2)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "warehouse", "sku", "quantity"])
        for d in range(days):
            day = (first_day + timedelta(days=d)).isoformat()
            for wh in warehouses:
                for p in range(n_products):
                    w.writerow([day, wh, sku(p), rnd.randint(0, 40)])
    return path
