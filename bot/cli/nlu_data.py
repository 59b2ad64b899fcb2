"""Out of the database, for the language layer (both write to a file, or to standard output with -):

- `qm names [FILE]`: the company's customers, suppliers and products (with aliases) as the gazetteer
  snapshot (nlu/names.py) that `qm parse` uses without a database: point $QM_NLU_NAMES at the file,
  or write it to data/nlu_names.json (the default).
- `qm corrections [FILE]`: the readings people chose when the assistant was unsure, one JSON object
  a line ({"text", "intent", "lang"}). Put the file in nlu/data/corrections/ and run
  `python -m nlu.train`: the classifiers learn them."""
from __future__ import annotations

import json

from ._common import read_database, write_out


def _names():
    from ..nlu_names import snapshot

    return snapshot


def _corrections():
    from domain.nlu_corrections import export

    return export


def _names_text(data) -> tuple[str, str]:
    return json.dumps(data, ensure_ascii=False) + "\n", f"{sum(len(v) for v in data.values())} names"


def _corrections_text(rows) -> tuple[str, str]:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), f"{len(rows)} corrections"


# command -> (help, the reader (loaded when the command runs), how its result is written)
EXPORTS = {
    "names": ("write the customer/supplier/product names snapshot that qm parse uses", _names, _names_text),
    "corrections": ("export the intents people chose from the assistant's suggestions (JSONL)", _corrections, _corrections_text),
}


def register(sub) -> None:
    for name, (help, _, _) in EXPORTS.items():
        p = sub.add_parser(name, help=help)
        p.add_argument("out", nargs="?", default="-", help="file to write (default: standard output)")
        p.set_defaults(func=export)


async def export(args) -> int:
    _, reader, render = EXPORTS[args.command]
    text, summary = render(await read_database(reader()))
    write_out(text, args.out, summary)
    return 0
