"""Unit of work: one session and one transaction per message or job.

    async with uow_factory() as uow:
        ... use uow.session ...
        await uow.commit()

Leaving the block without commit() rolls back, so a failed step changes nothing.
"""
from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
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

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)
