"""`qm parse`: what the language layer understands of a message.

    qm parse [--lang auto|en|ru|bg|ro|zh] [--now ISO-8601] [--tz IANA] TEXT
    qm parse --jsonl FILE|-

With --jsonl each input line is {"text": ..., "lang"?, "now"?, "tz"?} and each
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
    p.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
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
        return _stream(args, tz)
    if not args.text:
        print("qm parse: give a TEXT or --jsonl FILE", file=sys.stderr)
        return 2
    try:
        result = nlu.parse(args.text, lang=None if args.lang == "auto" else args.lang,
                           now=_now(args.now), tz=tz, region=args.region)
    except (DomainError, ValueError) as exc:
        print(f"qm parse: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0


def _stream(args: argparse.Namespace, tz: str) -> int:
    import nlu
    from domain.errors import DomainError

    try:
        src = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
    except OSError as exc:
        print(f"qm parse: cannot read {args.jsonl}: {exc.strerror}", file=sys.stderr)
        return 2
    out = sys.stdout
    failed = 0
    default_lang = None if args.lang == "auto" else args.lang
    with src:
        for line in src:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise ValueError('each line must be an object with a "text" string')
                lang = item.get("lang") or default_lang
                result = nlu.parse(item["text"], lang=None if lang == "auto" else lang,
                                   now=_now(item.get("now") or args.now), tz=item.get("tz") or tz,
                                   region=item.get("region") or args.region)
                record = result.to_dict()
            except (DomainError, ValueError) as exc:
                failed += 1
                record = {"error": str(exc), "line": line.rstrip("\n")[:200]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if src is sys.stdin:
                out.flush()
    out.flush()
    return 1 if failed else 0
