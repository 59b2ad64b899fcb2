"""Who may use the assistant: invites, registration, roles, blocking."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .errors import Conflict, InvalidInput, NotFound, N_, PermissionDenied
from .models import Invite, Role, User, utcnow
from .permissions import require

# Unambiguous characters only: invites get read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInput(N_("Unknown role {role}: use admin, manager, sales or warehouse."), role=value) from None


async def create_invite(session: AsyncSession, role: str, *, ttl_hours: int, created_by: User | None = None) -> Invite:
    """An admin (or the operator's shell, created_by=None) makes a one-time code."""
    if created_by is not None:
        require(created_by, "manage_users")
    invite = Invite(code=_new_code(), role=parse_role(role), created_by_id=created_by.id if created_by else None,
                    expires_at=utcnow() + timedelta(hours=ttl_hours))
    session.add(invite)
    await session.flush()
    return invite


async def redeem_invite(
    session: AsyncSession, code: str, *, name: str, language: str | None, timezone: str,
    telegram_id: int | None = None, console_name: str | None = None,
) -> User:
    code = code.strip().upper()
    invite = (await session.exec(select(Invite).where(Invite.code == code).with_for_update())).first()
    if invite is None:
        raise NotFound(N_("This invite code is not valid."))
    if invite.used_at is not None:
        raise Conflict(N_("This invite code has already been used."))
    if invite.expires_at < utcnow():
        raise Conflict(N_("This invite code has expired."))
    user = User(name=name or "Someone", role=invite.role, language=language or "en", timezone=timezone,
                telegram_id=telegram_id, console_name=console_name)
    session.add(user)
    await session.flush()
    invite.used_at = utcnow()
    invite.used_by_id = user.id
    return user


async def user_by_telegram(session: AsyncSession, telegram_id: int) -> User | None:
    return (await session.exec(select(User).where(User.telegram_id == telegram_id))).first()


async def user_by_console(session: AsyncSession, console_name: str) -> User | None:
    return (await session.exec(select(User).where(User.console_name == console_name))).first()


async def set_role(session: AsyncSession, actor: User, user_id: int, role: str) -> User:
    require(actor, "manage_users")
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such person."))
    if user.id == actor.id:
        raise PermissionDenied(N_("You can't change your own role."))
    user.role = parse_role(role)
    return user


async def set_blocked(session: AsyncSession, actor: User, user_id: int, blocked: bool) -> User:
    require(actor, "manage_users")
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such person."))
    if user.id == actor.id:
        raise PermissionDenied(N_("You can't block yourself."))
    user.blocked = blocked
    return user
