"""Generate a migration from the models: python -m storage.make_migration "message" [--initial]

--initial regenerates 0001 from scratch (only before the first release, while
no database in the field carries it)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from .migrate import MIGRATIONS, alembic_config


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    message = args[0] if args else "change"
    initial = "--initial" in sys.argv
    versions = MIGRATIONS / "versions"
    if initial:
        for f in versions.glob("*.py"):
            f.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'gen.sqlite3'}"
        cfg = alembic_config(url)
        if not initial:
            command.upgrade(cfg, "head")
        rev_id = "0001" if initial else None
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
