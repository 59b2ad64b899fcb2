"""Turning a unit of work's changes into audit rows, in its own transaction.

on_flush() runs from the session's after_flush event (storage/audit_hook.py):
new, changed and deleted objects of the audited tables (subjects.py) become
entries, kept with the transaction; before_commit() writes them with one
statement just before the transaction commits, so they commit or roll back
together with the change (inside a savepoint they are written at once, so a
savepoint rolled back takes its entries with it). Several flushes of one
transaction touching the same record (an order confirmed, then reserved) make
one entry: the first "before" and the last "after". Writes that bypass the ORM
(bulk imports) call record() with what they changed; the hot stock paths, which
insert their moves with Core statements, call note_created() (no extra round trip).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect

from ..models import AuditEntry, utcnow
from .actor import Actor, actor_of
from .subjects import SUBJECTS, Subject

TEXT_LIMIT = 200  # long notes are cut: the log says that they changed, not every word
_PENDING_KEY = "audit_pending"
_table = AuditEntry.__table__


@dataclass
class Change:
    entity: str
    entity_id: str
    label: str | None
    part: str | None
    action: str  # created | changed | deleted
    before: dict[str, Any] | None
    after: dict[str, Any] | None


_AS_IS = frozenset({type(None), bool, int, float})


def plain(value: Any) -> Any:
    """A value as it goes into the log's JSON: decimals without trailing zeros, dates as ISO text."""
    kind = type(value)
    if kind in _AS_IS:  # the common cases first: imports call this for every cell they change
        return value
    if kind is str:
        return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + "…"
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, str):
        return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + "…"
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def meaningful(value: Any) -> bool:
    """Worth showing on a new or deleted record: not empty, not a zero, not a false flag."""
    return value not in (None, "", False, 0, "0", [], {})


def snapshot(obj: Any, subject: Subject) -> dict[str, Any]:
    hidden = subject.hidden()
    out = {}
    for attr in sa_inspect(type(obj)).column_attrs:
        if attr.key in hidden:
            continue
        value = plain(getattr(obj, attr.key))
        if meaningful(value):
            out[attr.key] = value
    return out


def diff(obj: Any, subject: Subject) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed fields of a persistent object: ({field: before}, {field: after})."""
    state = sa_inspect(obj)
    hidden = subject.hidden()
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in hidden:
            continue
        hist = state.attrs[attr.key].history
        if not hist.added and not hist.deleted:
            continue
        # An attribute set while unloaded has no old value in memory: it shows as unknown (None).
        old = plain(hist.deleted[0]) if hist.deleted else None
        new = plain(hist.added[0]) if hist.added else None
        if old != new:
            before[attr.key], after[attr.key] = old, new
    return before, after


def _change(obj: Any, subject: Subject, action: str, before, after) -> Change:
    return Change(entity=subject.entity, entity_id=str(subject.id_of(obj)),
                  label=subject.label_of(obj) if subject.label_of and subject.part_of is None else None,
                  part=subject.part_of(obj) if subject.part_of else None, action=action, before=before, after=after)


def changes_in_flush(session: Any) -> list[Change]:
    out = []
    for obj in session.new:
        subject = SUBJECTS.get(type(obj))
        if subject is not None:
            out.append(_change(obj, subject, "created", None, snapshot(obj, subject)))
    for obj in session.dirty:
        subject = SUBJECTS.get(type(obj))
        if subject is None:
            continue
        before, after = diff(obj, subject)
        if after:
            out.append(_change(obj, subject, "changed", before, after))
    for obj in session.deleted:
        subject = SUBJECTS.get(type(obj))
        if subject is not None:
            out.append(_change(obj, subject, "deleted", snapshot(obj, subject), None))
    return out


def _row(actor: Actor, at: datetime, c: Change) -> dict[str, Any]:
    return {"at": at, "actor_user_id": actor.user_id, "actor": actor.name, "channel": actor.channel, "entity": c.entity,
            "entity_id": c.entity_id, "label": c.label, "part": c.part, "action": c.action, "before": c.before, "after": c.after}


# --- the flush hook -----------------------------------------------------------------------------

class _Pending:
    """This transaction's entries, not yet written: in order, and by (actor, entity, id, part) for merging."""

    def __init__(self, tx: Any):
        self.tx = tx
        self.entries: list[tuple[Actor, datetime, Change]] = []
        self.open: dict[tuple, tuple[Actor, datetime, Change]] = {}

    def add(self, actor: Actor, at: datetime, c: Change) -> None:
        key = (actor, c.entity, c.entity_id, c.part)
        earlier = self.open.get(key) if c.action == "changed" else None
        if earlier is None:
            entry = (actor, at, c)
            self.entries.append(entry)
            if c.action == "deleted":
                self.open.pop(key, None)  # a re-created record starts a new entry
            else:
                self.open[key] = entry
            return
        first = earlier[2]
        first.after = {**(first.after or {}), **c.after}
        if first.action == "changed":
            first.before = {**c.before, **first.before}  # the first old value stands
            for k in [k for k in first.after if first.before.get(k) == first.after[k]]:
                del first.before[k], first.after[k]
            if not first.after:  # changed and changed back: nothing happened
                self.entries.remove(earlier)
                del self.open[key]


def _pending(session: Any) -> _Pending:
    """Kept with the transaction it belongs to: a rolled-back transaction's entries are simply dropped."""
    tx = session.get_transaction()
    held = session.info.get(_PENDING_KEY)
    if held is None or held.tx is not tx:
        held = session.info[_PENDING_KEY] = _Pending(tx)
    return held


def on_flush(session: Any) -> None:
    """after_flush: note what this flush wrote; before_commit() writes it (sync session)."""
    changes = changes_in_flush(session)
    if not changes:
        return
    actor, at = actor_of(session), utcnow()
    if session.in_nested_transaction():  # a savepoint may roll back alone: write inside it, now
        session.connection().execute(_table.insert(), [_row(actor, at, c) for c in changes])
        return
    pending = _pending(session)
    for c in changes:
        pending.add(actor, at, c)


def before_commit(session: Any) -> None:
    """before_commit: the last changes are flushed, then the transaction's entries go in with one statement."""
    session.flush()
    pending = session.info.pop(_PENDING_KEY, None)
    if pending is not None and pending.tx is session.get_transaction() and pending.entries:
        session.connection().execute(_table.insert(), [_row(actor, at, c) for actor, at, c in pending.entries])


# --- writes that bypass the ORM -------------------------------------------------------------------

def enabled(session: Any) -> bool:
    """False only for a benchmark's unaudited baseline (storage.engine.session_factory(audited=False))."""
    return not session.info.get("audit_off")


async def record(session: Any, changes: list[Change]) -> None:
    """Logs changes made with bulk statements (the flush hook cannot see those), in the session's transaction."""
    if not changes or not enabled(session):
        return
    actor, at = actor_of(session), utcnow()
    conn = await session.connection()
    await conn.execute(_table.insert(), [_row(actor, at, c) for c in changes])


def created_row(session: Any, obj: Any) -> dict[str, Any] | None:
    """The log row of `obj` being created, for a statement that inserts the object and its entry
    together (the pick booking on PostgreSQL: one round trip fewer per pick). entity_id is left
    to that statement, which alone knows the new id. None when nothing is to be logged."""
    subject = SUBJECTS.get(type(obj))
    if subject is None or not enabled(session):
        return None
    sync = getattr(session, "sync_session", session)
    return _row(actor_of(sync), utcnow(), _change(obj, subject, "created", None, snapshot(obj, subject)))


async def note_created(session: Any, obj: Any) -> None:
    """A row inserted with a Core statement (stock moves on the hot pick path), logged as the ORM
    would log it: with this transaction's other entries at commit, so it costs no extra round trip."""
    subject = SUBJECTS.get(type(obj))
    if subject is None or not enabled(session):
        return
    sync = getattr(session, "sync_session", session)
    change = _change(obj, subject, "created", None, snapshot(obj, subject))
    if sync.in_nested_transaction():  # as on_flush: a savepoint may roll back alone
        await record(session, [change])
        return
    _pending(sync).add(actor_of(sync), utcnow(), change)


async def note_changed(session: Any, change: Change) -> None:
    """A change made with a Core statement (an order line's quantities on the hot pick path), logged as the
    ORM would log it: merged with this transaction's other entries of the same record part, written at commit."""
    if not enabled(session):
        return
    sync = getattr(session, "sync_session", session)
    if sync.in_nested_transaction():
        await record(session, [change])
        return
    _pending(sync).add(actor_of(sync), utcnow(), change)
