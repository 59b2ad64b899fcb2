"""Who may use the assistant: invites, registration, roles, blocking."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .errors import Conflict, InvalidInput, NotFound, N_, Np_, PermissionDenied
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


async def people(session: AsyncSession, actor: User) -> list[User]:
    require(actor, "manage_users")
    return list((await session.exec(select(User).order_by(User.blocked, User.name, User.id))).all())


async def find_person(session: AsyncSession, actor: User, ref: str) -> User:
    """A person by number (as /people lists them) or by name: exact (any case), else the only one containing it."""
    require(actor, "manage_users")
    ref = (ref or "").strip().lstrip("#@")
    if not ref:
        raise InvalidInput(N_("Whom? Name the person or give their number from /people."))
    if ref.isdigit():
        user = await session.get(User, int(ref))
        if user is None:
            raise NotFound(N_("No such person."))
        return user
    everyone = (await session.exec(select(User))).all()
    exact = [u for u in everyone if u.name.lower() == ref.lower()]
    hits = exact or [u for u in everyone if ref.lower() in u.name.lower()]
    if not hits:
        raise NotFound(N_("Nobody called {name} uses the assistant. /people lists everyone."), name=ref)
    if len(hits) > 1:
        raise InvalidInput(Np_("{count} person matches {name}: {names}. Use their number from /people.", "{count} people match {name}: {names}. Use their number from /people."),
                           count=len(hits), name=ref, names=", ".join(f"{u.name} ({u.id})" for u in hits[:5]))
    return hits[0]


async def set_role(session: AsyncSession, actor: User, user_id: int, role: str) -> User:
    require(actor, "manage_users")
    new_role = parse_role(role)
    user = await _target(session, actor, user_id)
    if user.role != new_role:
        await _keep_an_admin(session, actor, user, role=new_role, blocked=user.blocked)
        user.role = new_role
    return user


async def set_blocked(session: AsyncSession, actor: User, user_id: int, blocked: bool) -> User:
    require(actor, "manage_users")
    user = await _target(session, actor, user_id)
    if user.blocked != blocked:
        await _keep_an_admin(session, actor, user, role=user.role, blocked=blocked)
        user.blocked = blocked
    return user


async def _target(session: AsyncSession, actor: User, user_id: int) -> User:
    user = actor if user_id == actor.id else await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such person."))
    return user


async def _keep_an_admin(session: AsyncSession, actor: User, user: User, *, role: str, blocked: bool) -> None:
    """The last active administrator may not be demoted or blocked (by themselves: nobody else is left).

    The active administrators' rows are locked first: two admins demoting each other at the
    same moment are serialised, and the second finds they are no longer an admin."""
    stmt = select(User.id).where(User.role == Role.admin, User.blocked.is_(False)).with_for_update()
    admins = set((await session.exec(stmt)).all())
    if actor.id not in admins:
        raise PermissionDenied(N_("Your role ({role}) can't do that."), role=actor.role)
    stays_admin = role == Role.admin and not blocked
    if user.id in admins and not stays_admin and admins == {user.id}:
        raise Conflict(N_("{name} is the last administrator: make someone else an administrator first."), name=user.name)
