"""qm person: people who get reports by e-mail (managers not on Telegram)."""
from __future__ import annotations

import sys

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("person", help="add a person reached by e-mail, or set someone's e-mail")
    ps = p.add_subparsers(dest="action", required=True)
    add = ps.add_parser("add", help="add a person who is not on Telegram (reports by e-mail)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "manager", "sales", "warehouse"])
    add.add_argument("--email", required=True)
    add.add_argument("--lang", default="en", choices=["en", "ru", "bg", "ro", "zh"])
    email = ps.add_parser("email", help="set (or with '' clear) the e-mail of a person, by name")
    email.add_argument("name")
    email.add_argument("address")
    p.set_defaults(func=person)


def _valid(address: str) -> bool:
    from email.utils import parseaddr

    name, addr = parseaddr(address)
    return bool(addr) and addr == address.strip() and "@" in addr and "." in addr.rpartition("@")[2]


async def person(args) -> int:
    from sqlmodel import select

    from domain.models import User

    from ..app import command_services

    address = args.email if args.action == "add" else args.address
    if address and not _valid(address):
        print(f"{address!r} is not an e-mail address; nothing changed", file=sys.stderr)
        return 2
    settings = settings_or_exit()
    async with command_services(settings) as services, services.uow() as uow:
        if args.action == "add":
            user = User(name=args.name.strip(), role=args.role, language=args.lang, email=address,
                        timezone=settings.company.timezone)
            uow.session.add(user)
        else:
            found = (await uow.session.exec(select(User).where(User.name == args.name.strip()))).all()
            if len(found) != 1:
                print(f"{len(found)} people are called {args.name!r}; nothing changed", file=sys.stderr)
                return 2
            user = found[0]
            user.email = address or None
        await uow.commit()
        print(f"{user.name} ({user.role}): e-mail {user.email or '—'}", flush=True)
    return 0
