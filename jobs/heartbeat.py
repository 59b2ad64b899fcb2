"""This process's row in `processes`, kept fresh by a heartbeat.

Outbox claims carry the claiming process's id. A process that dies (SIGKILL,
power loss) stops beating; every other process then takes its claims on its next
claim (domain/outbox.py `claim`), after `dead_after` at most. A process that
starts on the same host as a dead one does not even wait for that: a process
row of this host whose pid is no longer running (or is our own pid, after a
container restart) is removed at once. The outbox's stale timeout is left only
for a worker that is alive but stuck."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from domain.models import Outbox, ProcessBeat
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


def this_host() -> str:
    """The host name plus the pid namespace: two containers given the same host name must not
    judge each other's pids (a pid of another namespace is not visible here)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")  # e.g. "pid:[4026531836]"
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}{'/' + namespace if namespace else ''}"


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class ProcessRegistry:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime], *, dead_after: timedelta,
                 host: str | None = None, pid: int | None = None):
        self.uow, self.clock, self.dead_after = uow, clock, dead_after
        self.host = host or this_host()
        self.pid = pid if pid is not None else os.getpid()
        self.id = uuid.uuid4().hex

    async def register(self) -> int:
        """Adds this process and reaps the dead; returns how many outbox sends were left by them."""
        async with self.uow() as u:
            u.session.add(ProcessBeat(id=self.id, host=self.host, pid=self.pid, started_at=self.clock(),
                                      heartbeat_at=self.clock()))
            await u.commit()
        return await self.reap()

    async def beat(self) -> None:
        async with self.uow() as u:
            table = ProcessBeat.__table__
            done = await u.session.exec(table.update().where(table.c.id == self.id).values(heartbeat_at=self.clock()))
            if done.rowcount == 0:  # reaped while we could not beat (a long database outage): back in
                log.warning("process %s had been taken for dead; registering again", self.id)
                u.session.add(ProcessBeat(id=self.id, host=self.host, pid=self.pid, heartbeat_at=self.clock()))
            await u.commit()

    async def reap(self) -> int:
        """Removes the rows of processes that are gone; returns the outbox sends they had claimed
        (taken by the next claim of any process)."""
        now = self.clock()
        async with self.uow() as u:
            rows = (await u.session.exec(select(ProcessBeat).where(ProcessBeat.id != self.id))).all()
            gone = [p.id for p in rows if p.heartbeat_at < now - self.dead_after
                    or (p.host == self.host and (p.pid == self.pid or not pid_running(p.pid)))]
            orphaned = 0
            if gone:
                orphaned = (await u.session.exec(select(sa.func.count()).select_from(Outbox).where(
                    Outbox.status == "sending", Outbox.claimed_by.in_(gone)))).one()
                await u.session.exec(sa.delete(ProcessBeat).where(ProcessBeat.id.in_(gone)))
                await u.commit()
        if gone:
            log.warning("processes gone: %s; %s outbox send(s) they claimed are reconciled now", ", ".join(gone), orphaned)
        return orphaned

    async def unregister(self) -> None:
        """On a clean stop: our remaining claims (sends cut short) go to the others at once."""
        try:
            async with self.uow() as u:
                await u.session.exec(sa.delete(ProcessBeat).where(ProcessBeat.id == self.id))
                await u.commit()
        except Exception:
            log.warning("could not remove this process's row; it expires after %s", self.dead_after, exc_info=True)
