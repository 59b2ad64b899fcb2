"""qm db upgrade: apply migrations."""
from __future__ import annotations

from ._common import command_with_one_action, settings_or_exit


def register(sub) -> None:
    command_with_one_action(sub, "db", "database maintenance", "upgrade", "apply migrations (also done by qm run on start)",
                            upgrade_cmd)


async def upgrade_cmd(args) -> int:
    from storage.migrate import current_revision

    from ..app import command_services

    async with command_services(settings_or_exit()) as services:  # opening it applies the migrations
        print(f"database at revision {await current_revision(services.engine)}")
    return 0
