"""qm chat: talk to the assistant in the terminal."""
from __future__ import annotations

from pathlib import Path

from ..settings import CONFIG_PATH, database_location
from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("chat", help="talk to the assistant in the terminal (same dialogue as Telegram)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--as", dest="name", help="console user name (created as admin if new)")
    who.add_argument("--role", help="talk as a console user with this role: admin, manager, sales, warehouse")
    p.set_defaults(func=chat)


async def chat(args) -> int:
    settings = settings_or_exit()
    role = args.role or "admin"
    name = args.name or (f"console-{role}" if args.role else "console")
    print(f"Console channel (database {database_location(settings.database.url)}). Type /help; /quit to leave.", flush=True)
    return await chat_session(settings, name=name, role=role)


async def chat_session(settings, *, name: str, role: str) -> int:
    # database imports here, not at the top: `qm parse` builds the same parser and must not load them
    from sqlmodel import select

    from domain.access import parse_role
    from domain.models import User

    from ..app import build_dialogue, open_services
    from ..console.repl import run_console

    services = await open_services(settings)
    try:
        # The terminal is trusted (it has the database): console users need no invite.
        async with services.uow() as uow:
            user = (await uow.session.exec(select(User).where(User.console_name == name))).first()
            if user is None:
                user = User(name=name, role=parse_role(role), console_name=name, language=settings.company.language,
                            timezone=settings.company.timezone)
                uow.session.add(user)
                await uow.commit()
        await run_console(build_dialogue(services), name, user.language, attachments=attachments_folder(settings))
    finally:
        await services.engine.dispose()
    return 0


def attachments_folder(settings) -> Path:
    """Next to the SQLite database (data/attachments by default); under config.yaml's data/ for PostgreSQL."""
    location = database_location(settings.database.url)
    base = Path(location).parent if settings.database.url.startswith("sqlite") and location != ":memory:" \
        else CONFIG_PATH.resolve().parent / "data"
    return base / "attachments"
