"""qm db upgrade: apply migrations."""
from __future__ import annotations

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("db", help="database maintenance")
    dsub = p.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="apply migrations (also done by qm run on start)")
    up.set_defaults(func=upgrade_cmd)


async def upgrade_cmd(args) -> int:
    from storage.migrate import current_revision

    from ..app import command_services

    async with command_services(settings_or_exit()) as services:  # opening it applies the migrations
        print(f"database at revision {await current_revision(services.engine)}")
    return 0
