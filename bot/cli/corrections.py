"""qm corrections [FILE|-]: export the readings people chose when the assistant was unsure,
one JSON object a line ({"text", "intent", "lang"}). Put the file in nlu/data/corrections/
and run `python -m nlu.train`: the classifiers learn them."""
from __future__ import annotations

import json
import sys

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("corrections", help="export the intents people chose from the assistant's suggestions (JSONL)")
    p.add_argument("out", nargs="?", default="-", help="file to write (default: standard output)")
    p.set_defaults(func=export)


async def export(args) -> int:
    from domain.nlu_corrections import export as rows_of

    from ..app import open_services

    services = await open_services(settings_or_exit(), seed_if_empty=False, with_nlu=False)
    try:
        async with services.uow() as uow:
            rows = await rows_of(uow.session)
    finally:
        await services.engine.dispose()
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out == "-":
        sys.stdout.write(lines)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(lines)
        print(f"{len(rows)} corrections -> {args.out}", file=sys.stderr)
    return 0
