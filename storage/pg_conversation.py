"""A message's opening in one statement on PostgreSQL (domain/conversations.py says what it does;
domain/database.py's `conversation_opening` is this statement's place in the port)."""
from __future__ import annotations

import sqlalchemy as sa

from domain.models import Conversation, User

_conversations, _users = Conversation.__table__, User.__table__


def _columns(alias: str, table: sa.Table) -> str:
    return ", ".join(f'{alias}."{c.name}"' for c in table.c)


# The key's INSERT waits for a transaction holding the same key and then finds it (a redelivery),
# as domain.processed.first_time does. The conversation's UPDATE reads the key's output (EXISTS), so
# it runs after it and only for a new event; it waits for the row lock held by the person's previous
# message and returns the row that message committed (READ COMMITTED), then holds the lock until
# commit. One row always comes back: `fresh`, then the conversation's and its person's columns
# (NULL when the chat has no conversation yet, or for a redelivery).
CONVERSATION_OPENING = sa.text(f"""
WITH k AS (
    INSERT INTO processed_updates (key, created_at) VALUES (:key, :now)
    ON CONFLICT DO NOTHING
    RETURNING key
), c AS (
    UPDATE conversations SET updated_at = :now
    WHERE channel = :in_channel AND external_id = :in_chat AND EXISTS (SELECT FROM k)
    RETURNING *
)
SELECT EXISTS (SELECT FROM k) AS fresh, {_columns("c", _conversations)}, {_columns("u", _users)}
FROM (SELECT) AS one LEFT JOIN c ON true LEFT JOIN users AS u ON u.id = c.user_id
""").bindparams(sa.bindparam("now", type_=_conversations.c.updated_at.type)).columns(
    sa.column("fresh", sa.Boolean), *_conversations.c, *_users.c)
