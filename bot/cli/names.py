"""qm names [FILE]: write the company's customers, suppliers and products (with aliases) as the
language layer's gazetteer snapshot (nlu/names.py), for `qm parse` to use without a database:
point $QM_NLU_NAMES at the file, or write it to data/nlu_names.json (the default)."""
from __future__ import annotations

import json
import sys

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("names", help="write the customer/supplier/product names snapshot that qm parse uses")
    p.add_argument("out", nargs="?", default="-", help="file to write (default: standard output)")
    p.set_defaults(func=write)


async def write(args) -> int:
    from ..app import open_services
    from ..nlu_names import snapshot

    services = await open_services(settings_or_exit(), seed_if_empty=False, with_nlu=False)
    try:
        async with services.uow() as uow:
            data = await snapshot(uow.session)
    finally:
        await services.engine.dispose()
    text = json.dumps(data, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{sum(len(v) for v in data.values())} names -> {args.out}", file=sys.stderr)
    return 0
