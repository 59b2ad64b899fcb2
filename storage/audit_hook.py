"""Every session this application opens writes the audit log on flush.

The session class of storage.engine.session_factory; the work itself is
domain.audit.recorder.on_flush (which tables, which fields, which actor)."""
from __future__ import annotations

from sqlalchemy import event
from sqlmodel.orm.session import Session

from domain.audit.recorder import before_commit, on_flush


class AuditedSession(Session):
    pass


@event.listens_for(AuditedSession, "after_flush")
def _note_changes(session, _flush_context) -> None:
    on_flush(session)


@event.listens_for(AuditedSession, "before_commit")
def _write_log(session) -> None:
    before_commit(session)
