"""Every flush cleans and measures the text fields people fill in (domain/text.py): hidden and
bidi-control characters are dropped, and a value over its field's limit stops the flush with a
clear message (an InvalidInput, so the person is told and nothing is saved). Bulk imports write
with core statements and check their cells themselves (domain/dataio/kinds.py TEXT)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel.orm.session import Session

from domain.text import FIELDS, clean_field


@event.listens_for(Session, "before_flush")
def _clean_text_fields(session, _flush_context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        table = getattr(obj, "__tablename__", None)
        columns = FIELDS.get(table) if table else None
        if not columns:
            continue
        state = sa.inspect(obj)
        for column in columns:
            if column not in state.attrs:
                continue
            value = getattr(obj, column, None)
            if not isinstance(value, str) or (not state.pending and not state.attrs[column].history.has_changes()):
                continue
            cleaned = clean_field(table, column, value)
            if cleaned != value:
                setattr(obj, column, cleaned)
