"""Turning a flush into audit rows, in the flush's own transaction.

on_flush() runs from the session's after_flush event (storage/audit_hook.py):
new, changed and deleted objects of the audited tables (subjects.py) become
rows of audit_entries, written on the flush's connection, so they commit or roll
back together with the change. Several flushes of one transaction touching the
same record (an order confirmed, then reserved) make one entry: the first
"before" and the last "after". Writes that bypass the ORM (bulk imports) call
record() with what they changed.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect as sa_inspect

from ..models import AuditEntry, utcnow
from .actor import Actor, actor_of
from .subjects import SUBJECTS, Subject

TEXT_LIMIT = 200  # long notes are cut: the log says that they changed, not every word
_MERGE_KEY = "audit_written"
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


def plain(value: Any) -> Any:
    """A value as it goes into the log's JSON: decimals without trailing zeros, dates as ISO text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, str):
        return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + "…"
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

def _written(session: Any) -> dict[tuple, list]:
    """This transaction's entries so far, by (actor, entity, id, part): [row id, action, before, after].
    Kept with the transaction it belongs to, so a new transaction starts afresh."""
    tx = session.get_transaction()
    held = session.info.get(_MERGE_KEY)
    if held is None or held[0] is not tx:
        held = session.info[_MERGE_KEY] = (tx, {})
    return held[1]


def on_flush(session: Any) -> None:
    """after_flush: log what this flush wrote (sync session, inside the flush's transaction)."""
    changes = changes_in_flush(session)
    if not changes:
        return
    actor, at = actor_of(session), utcnow()
    written = _written(session)
    conn = session.connection()
    fresh: list[tuple[tuple, Change]] = []
    for c in changes:
        key = (actor, c.entity, c.entity_id, c.part)
        earlier = written.get(key) if c.action == "changed" else None
        if earlier is None:
            if c.action == "deleted":
                written.pop(key, None)  # a re-created record starts a new entry
            fresh.append((key, c))
            continue
        row_id, action, before, after = earlier
        after = {**(after or {}), **c.after}
        if action == "changed":
            before = {**c.before, **before}  # the first old value stands
            same = [k for k in after if before.get(k) == after[k]]
            for k in same:
                before.pop(k, None), after.pop(k, None)
        if action == "changed" and not after:  # changed and changed back: nothing happened
            conn.execute(_table.delete().where(_table.c.id == row_id))
            del written[key]
            continue
        conn.execute(_table.update().where(_table.c.id == row_id).values(before=before, after=after))
        written[key] = [row_id, action, before, after]
    if fresh:
        stmt = _table.insert().returning(_table.c.id, sort_by_parameter_order=True)
        ids = conn.execute(stmt, [_row(actor, at, c) for _, c in fresh]).scalars().all()
        for (key, c), row_id in zip(fresh, ids):
            if c.action != "deleted":
                written[key] = [row_id, c.action, c.before, c.after]


# --- writes that bypass the ORM -------------------------------------------------------------------

async def record(session: Any, changes: list[Change]) -> None:
    """Logs changes made with bulk statements (the flush hook cannot see those), in the session's transaction."""
    if not changes:
        return
    actor, at = actor_of(session), utcnow()
    conn = await session.connection()
    await conn.execute(_table.insert(), [_row(actor, at, c) for c in changes])
