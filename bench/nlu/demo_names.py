"""Writes bench/nlu/names_demo.json: the demo company's names (domain/demo.py) in the
snapshot format of nlu/names.py, which the bench uses as the parser's gazetteer, the way
the running bot uses its database's (bot/nlu_names.py).

    python -m bench.nlu.demo_names"""
from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent / "names_demo.json"
SUPPLIERS = ["Nordic Supply", "Balkan Wholesale", "Dacia Import SRL", "Sino Trading Co.", "OfficeX Distribution", "CleanPro BG"]


def names() -> dict:
    from domain.demo import CATALOG, CUSTOMERS, PRODUCT_ALIASES

    products = []
    for _category, _unit, items, *_rest in CATALOG:  # (category, unit, names, prices, tracked, forms)
        for name in items:
            short = re.sub(r"\s+(\d[\w.,x-]*|[A-Z]{1,2}\d*)$", "", name)  # "Coffee beans 1kg" is also "Coffee beans"
            aliases = [a.strip() for a in PRODUCT_ALIASES.get(name, "").split(",") if a.strip()]
            products.append([name] + ([short] if short != name else []) + aliases)
    return {"customer": [[c[0]] for c in CUSTOMERS], "supplier": [[s] for s in SUPPLIERS], "product": products}


def main() -> int:
    OUT.write_text(json.dumps(names(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
