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
COMMANDS = ["run", "chat", "db", "demo", "invite", "person", "report", "parse", "scan", "transcribe", "plan", "data",
            "nlu_data"]
# sub-commands registered by a module of another name
MODULE_OF = {"import": "data", "export": "data", "names": "nlu_data", "corrections": "nlu_data"}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or only for `command` when it is known: a command
    loads just its own module, so `qm parse` starts without the database layer."""
    parser = argparse.ArgumentParser(prog="qm", description="Quartermaster: chat-first operations assistant")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    module = MODULE_OF.get(command or "", command)
    for name in [module] if module in COMMANDS else COMMANDS:
        importlib.import_module(f"bot.cli.{name}").register(sub)
    return parser


# Commands whose changes the audit log attributes to the operator at the shell; `run` and `chat`
# attribute each message to its sender and each job to the job.
_OPERATOR_CHANNEL = {"import": "import", "demo": "cli", "invite": "cli", "person": "cli", "report": "cli", "plan": "cli", "db": "cli"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    channel = _OPERATOR_CHANNEL.get(args.command)
    if channel is None:
        return _call(args)
    from domain.audit import Actor, acting_as

    with acting_as(Actor(channel=channel, name=f"{_os_user()} (qm {args.command})")):
        return _call(args)


def _call(args) -> int:
    result = args.func(args)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)  # copies this context: the actor above holds inside
    return int(result or 0)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        return "operator"


if __name__ == "__main__":
    sys.exit(main())
