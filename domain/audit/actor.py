"""Who is making the changes of a unit of work, and through which channel.

The entry points know it (the dialogue after it has identified the person, the
SMS webhook the customer's phone, a job its name, the CLI its command) and tell
the session, or the running task through a context variable; the flush hook
(storage/audit_hook.py) reads it when it writes the log. Nothing set means the
system itself.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ..models import User

CHANNELS = ("telegram", "console", "sms", "voice", "cli", "import", "job", "system")
_SESSION_KEY = "audit_actor"


@dataclass(frozen=True)
class Actor:
    channel: str
    name: str  # a person's name, a customer's phone, a job's name
    user_id: int | None = None

    @classmethod
    def person(cls, user: User, channel: str) -> Actor:
        return cls(channel=channel, name=user.name, user_id=user.id)

    @classmethod
    def customer(cls, phone: str | None, channel: str) -> Actor:
        return cls(channel=channel, name=phone or "unknown number")


SYSTEM = Actor(channel="system", name="system")
_current: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)

ActorSource = Actor | Callable[[], Actor]


def set_actor(session: Any, actor: ActorSource) -> None:
    """Attributes this session's changes to `actor`; a callable is asked at each flush
    (the dialogue's person may only become known half-way, e.g. on /start CODE)."""
    session.info[_SESSION_KEY] = actor


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Every session used inside the block (that has no actor of its own) logs `actor`."""
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def actor_of(session: Any) -> Actor:
    source = session.info.get(_SESSION_KEY)
    if callable(source):
        source = source()
    return source or _current.get() or SYSTEM
