"""`qm`: the command line. Each sub-command lives in its own module with a
`register(subparsers)` that adds its parser and sets `func` (sync or async).
Heavy imports happen inside the commands, so `qm parse` never touches the
database and `qm --help` is instant."""
from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import sys

# module names under bot.cli, in the order `qm --help` lists them
COMMANDS = ["run", "chat", "db", "demo", "invite", "parse", "scan", "transcribe", "plan", "data"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qm", description="Quartermaster: chat-first operations assistant")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"bot.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = args.func(args)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
