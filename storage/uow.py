"""Unit of work: one session and one transaction per message or job.

    async with uow_factory() as uow:
        ... use uow.session ...
        await uow.commit()

Leaving the block without commit() rolls back, so a failed step changes nothing.
The audit log is written on flush in the same transaction (storage/audit_hook.py):
pass `actor=` (or call domain.audit.set_actor later) to say who is acting.
"""
from __future__ import annotations

from typing import Any, Self

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], actor: Any = None):
        self._sessions = sessions
        self._actor = actor
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        if self._actor is not None:
            from domain.audit import set_actor

            set_actor(self.session, self._actor)
        return self

    async def __aexit__(self, *exc) -> None:
        # close() rolls back whatever was not committed and detaches objects
        # without expiring them, so results stay readable after the block.
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    def __call__(self, actor: Any = None) -> UnitOfWork:
        """actor: a domain.audit.Actor (or a callable returning one) the audit log names."""
        return UnitOfWork(self.sessions, actor)
