"""`qm parse`: what the language layer understands of a message.

    qm parse [--lang auto|en|ru|bg|ro|zh] [--now ISO-8601] [--tz IANA] TEXT
    qm parse --jsonl FILE|-
    qm parse -                 (or text piped in with no TEXT)

`-` reads plain text lines from standard input, one message a line. With --jsonl each input line is {"text": ..., "lang"?, "now"?, "tz"?} and each
output line is {"text", "lang", "intent", "confidence", "entities"}; the models
load once and lines stream through. A line that cannot be read gives
{"error": ...} in its place and the exit code is 1."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime


def register(subparsers) -> None:
    p = subparsers.add_parser("parse", help="show the intent and entities of a message",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("text", nargs="?", help="the message; - reads plain lines from standard input (omit with --jsonl)")
    p.add_argument("--lang", default="auto", choices=["auto", "en", "ru", "bg", "ro", "zh"])
    p.add_argument("--now", help="ISO-8601 moment relative dates resolve against (default: now)")
    p.add_argument("--tz", help="IANA time zone (default: the company's, Europe/Sofia if unset)")
    p.add_argument("--region", default="BG", help="default country for phone numbers without + (default BG)")
    p.add_argument("--jsonl", metavar="FILE", help="read JSON lines from FILE or - for stdin")
    p.set_defaults(func=run)


def _now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--now is not an ISO-8601 date-time: {value!r}") from None


def _default_tz() -> str:
    # no settings import: parsing must start fast and needs no configuration
    return "Europe/Sofia"


def run(args: argparse.Namespace) -> int:
    import nlu
    from domain.errors import DomainError

    tz = args.tz or _default_tz()
    if args.jsonl:
        return _stream(args, tz, args.jsonl, plain=False)
    if args.text == "-" or (not args.text and not sys.stdin.isatty()):
        return _stream(args, tz, "-", plain=True)
    if not args.text:
        print("qm parse: give a TEXT, - for plain lines on standard input, or --jsonl FILE", file=sys.stderr)
        return 2
    try:
        result = nlu.parse(args.text, lang=None if args.lang == "auto" else args.lang,
                           now=_now(args.now), tz=tz, region=args.region)
    except (DomainError, ValueError) as exc:
        print(f"qm parse: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0


def _stream(args: argparse.Namespace, tz: str, source: str, plain: bool) -> int:
    import os

    if source == "-":
        fd, close = sys.stdin.fileno(), False
    else:
        try:
            fd, close = os.open(source, os.O_RDONLY), True
        except OSError as exc:
            print(f"qm parse: cannot read {source}: {exc.strerror}", file=sys.stderr)
            return 2
    failed = 0
    try:
        for lines in _batches(fd):
            records, bad = _parse_lines(lines, args, tz, plain)
            failed += bad
            sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
            sys.stdout.flush()
    finally:
        if close:
            os.close(fd)
    return 1 if failed else 0


def _batches(fd: int, limit: int = 512):
    """Complete lines as they become available: a file is read in large blocks, a
    pipe yields whatever has arrived, so an interactive stream is answered at once."""
    import os

    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for i in range(0, len(complete), limit):
            yield [c.decode("utf-8", "replace") for c in complete[i:i + limit]]
    if pending.strip():
        yield [pending.decode("utf-8", "replace")]


def _parse_lines(lines: list[str], args: argparse.Namespace, tz: str, plain: bool = False) -> tuple[list[dict], int]:
    import nlu
    from domain.errors import DomainError

    default_lang = None if args.lang == "auto" else args.lang
    slots: list = []
    items: list[dict] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            item = {"text": line.rstrip("\r")} if plain else json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
            lang = item.get("lang") or default_lang
            items.append({"text": item["text"], "lang": None if lang == "auto" else lang,
                          "now": _now(item.get("now") or args.now), "tz": item.get("tz") or tz,
                          "region": item.get("region") or args.region})
            slots.append(len(items) - 1)
        except ValueError as exc:
            slots.append({"error": str(exc), "line": line[:200]})
    try:
        results = nlu.parse_many(items)
    except (DomainError, ValueError):
        results = []
        for item in items:  # one bad line must not sink its neighbours
            try:
                results.append(nlu.parse_many([item])[0])
            except (DomainError, ValueError) as exc:
                results.append({"error": str(exc), "line": item["text"][:200]})
    records, bad = [], 0
    for slot in slots:
        rec = slot if isinstance(slot, dict) else results[slot]
        if isinstance(rec, dict):
            bad += 1
            records.append(rec)
        else:
            records.append(rec.to_dict())
    return records, bad
