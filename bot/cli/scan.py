"""`qm scan IMAGE...` / `qm scan --jsonl FILE|-`: decode barcode photos, one JSON line per image."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Iterable, Iterator


def register(subparsers) -> None:
    p = subparsers.add_parser("scan", help="read barcodes from photos (one JSON line per image)")
    p.add_argument("images", nargs="*", metavar="IMAGE", help="image files")
    p.add_argument("--jsonl", metavar="FILE", help='lines of {"file": PATH}; "-" reads standard input')
    p.set_defaults(func=run)


def _paths(args) -> Iterator[str | dict]:
    yield from args.images
    if args.jsonl:
        stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
        with stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    path = item["file"]
                    if not isinstance(path, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    yield {"file": None, "error": f"line {number}: expected a JSON object {{\"file\": PATH}}"}
                    continue
                yield path


def scan_files(paths: Iterable[str | dict], decoder) -> Iterator[dict]:
    """Each path -> the contract's output line; a bad file gives an "error" line and the run goes on."""
    from bot.barcodes.images import check_byte_size
    from domain.errors import DomainError

    for path in paths:
        if isinstance(path, dict):
            yield path
            continue
        try:
            with open(path, "rb") as fh:
                # refuse a huge file before reading it
                check_byte_size(os.fstat(fh.fileno()).st_size, decoder.max_bytes)
                data = fh.read()
            codes = decoder.decode(data)
        except OSError as exc:
            yield {"file": path, "error": f"cannot read the file: {exc.strerror or exc}"}
            continue
        except DomainError as exc:
            yield {"file": path, "error": str(exc)}
            continue
        except Exception as exc:  # one broken file must not stop the run
            yield {"file": path, "error": f"cannot decode the file: {type(exc).__name__}: {exc}"}
            continue
        yield {"file": path, "barcodes": [c.to_dict() for c in codes]}


def run(args: argparse.Namespace) -> int:
    if not args.images and not args.jsonl:
        print("qm scan: give IMAGE files or --jsonl FILE|-", file=sys.stderr)
        return 2
    from bot.barcodes import ZxingDecoder
    from bot.settings import load_settings

    decoder = ZxingDecoder.from_settings(load_settings())
    for line in scan_files(_paths(args), decoder):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0
