"""qm db upgrade: apply migrations."""
from __future__ import annotations

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("db", help="database maintenance")
    dsub = p.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="apply migrations (also done by qm run on start)")
    up.set_defaults(func=upgrade_cmd)


async def upgrade_cmd(args) -> int:
    from storage.engine import create_engine
    from storage.migrate import current_revision, upgrade

    settings = settings_or_exit()
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0
