"""qm names [FILE]: write the company's customers, suppliers and products (with aliases) as the
language layer's gazetteer snapshot (nlu/names.py), for `qm parse` to use without a database:
point $QM_NLU_NAMES at the file, or write it to data/nlu_names.json (the default)."""
from __future__ import annotations

import json

from ._common import read_database, write_out


def register(sub) -> None:
    p = sub.add_parser("names", help="write the customer/supplier/product names snapshot that qm parse uses")
    p.add_argument("out", nargs="?", default="-", help="file to write (default: standard output)")
    p.set_defaults(func=write)


async def write(args) -> int:
    from ..nlu_names import snapshot

    data = await read_database(snapshot)
    write_out(json.dumps(data, ensure_ascii=False) + "\n", args.out, f"{sum(len(v) for v in data.values())} names")
    return 0
