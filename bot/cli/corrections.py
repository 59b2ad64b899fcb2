"""qm corrections [FILE|-]: export the readings people chose when the assistant was unsure,
one JSON object a line ({"text", "intent", "lang"}). Put the file in nlu/data/corrections/
and run `python -m nlu.train`: the classifiers learn them."""
from __future__ import annotations

import json

from ._common import read_database, write_out


def register(sub) -> None:
    p = sub.add_parser("corrections", help="export the intents people chose from the assistant's suggestions (JSONL)")
    p.add_argument("out", nargs="?", default="-", help="file to write (default: standard output)")
    p.set_defaults(func=export)


async def export(args) -> int:
    from domain.nlu_corrections import export as rows_of

    rows = await read_database(rows_of)
    write_out("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), args.out, f"{len(rows)} corrections")
    return 0
