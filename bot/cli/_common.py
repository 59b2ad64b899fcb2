"""Helpers shared by the sub-commands."""
from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..settings import Settings


def command_with_one_action(sub, name: str, help: str, action: str, action_help: str, func) -> None:
    """`qm NAME ACTION` (e.g. `qm db upgrade`, `qm demo seed`): a command with a single sub-command."""
    p = sub.add_parser(name, help=help)
    actions = p.add_subparsers(dest=f"{name}_command", required=True)
    actions.add_parser(action, help=action_help).set_defaults(func=func)


def settings_or_exit() -> "Settings":
    # imported here: settings pull in pydantic and the scheduler's types, which `qm parse` never needs
    from ..settings import load_settings

    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's message names the bad key
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # libraries that narrate their work at INFO (font subsetting for every PDF, font cache, every Twilio request's headers)
    for noisy in ("httpx", "alembic", "fontTools", "fpdf", "matplotlib", "PIL", "twilio.http_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return settings


async def read_database(read):
    """`read(session)` on the configured database (no demo seeding, no language model); its result."""
    from ..app import command_services

    async with command_services(settings_or_exit()) as services, services.uow() as uow:
        return await read(uow.session)


def write_out(text: str, out: str, summary: str) -> None:
    """`text` to standard output (out "-") or to the file `out`, then `summary` on stderr."""
    if out == "-":
        sys.stdout.write(text)
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{summary} -> {out}", file=sys.stderr)
