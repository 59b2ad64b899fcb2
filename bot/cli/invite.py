"""qm invite --role ROLE: print a one-time invite code."""
from __future__ import annotations

from ._common import settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("invite", help="print a one-time invite code for a role")
    p.add_argument("--role", required=True, choices=["admin", "manager", "sales", "warehouse"])
    p.set_defaults(func=invite)


async def invite(args) -> int:
    from domain.access import create_invite

    from ..app import command_services

    settings = settings_or_exit()
    async with command_services(settings) as services, services.uow() as uow:
        inv = await create_invite(uow.session, args.role, ttl_hours=settings.access.invite_ttl_hours)
        await uow.commit()
    print(inv.code)
    print(f"Send /start {inv.code} to the bot. Works once, as {args.role}, until "
          f"{inv.expires_at:%Y-%m-%d %H:%M} UTC.", flush=True)
    return 0
