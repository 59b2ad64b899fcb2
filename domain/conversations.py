"""A message's first step in its transaction: its event recorded once, and the person's conversation
locked (one person's messages are handled one at a time) and loaded with the person.

Where the database can chain writes in one statement (Database.conversation_opening) this is one
round trip; elsewhere three statements: the event's key, the conversation with its person (locked),
its updated_at."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .database import database_of
from .models import Conversation, User, utcnow
from .processed import first_time


@dataclass
class Opened:
    fresh: bool  # False: the event was handled before (a redelivery); nothing else was read or written
    conversation: Conversation | None  # None: this chat has none yet
    user: User | None  # the person the conversation names, if any


_conversations = Conversation.__table__
_LOAD = (select(Conversation, User).outerjoin(User, User.id == Conversation.user_id)
         .where(Conversation.channel == sa.bindparam("in_channel"), Conversation.external_id == sa.bindparam("in_chat"))
         .with_for_update(of=Conversation))
# By id: a one-row write, which SQLite runs on the event loop's thread (storage/sqlite_driver.py).
_TOUCH = (sa.update(_conversations).where(_conversations.c.id == sa.bindparam("conv_id"))
          .values(updated_at=sa.bindparam("now", type_=_conversations.c.updated_at.type)))


async def open_conversation(session: AsyncSession, channel: str, external_id: str, event_key: str | None) -> Opened:
    """Records `event_key` (when given) in the caller's transaction, and, the first time only, marks the
    chat's conversation as active now (updated_at), locks it until commit and loads it with its person."""
    now = utcnow()
    params = {"in_channel": channel, "in_chat": external_id, "now": now}
    one = database_of(session).conversation_opening
    if one is not None and event_key is not None:
        stmt = select(one.selected_columns.fresh, Conversation, User).from_statement(one)
        fresh, conversation, user = (await session.exec(stmt, params={**params, "key": event_key})).one()
        return Opened(fresh, conversation, user)
    if event_key is not None and not await first_time(session, event_key):
        return Opened(False, None, None)
    row = (await session.exec(_LOAD, params=params)).first()
    if row is None:
        return Opened(True, None, None)
    conversation, user = row
    # A Core UPDATE, and the loaded object told the value as stored: no unit-of-work flush for it at commit.
    await (await session.connection()).execute(_TOUCH, {"conv_id": conversation.id, "now": now})
    set_committed_value(conversation, "updated_at", now)
    return Opened(True, conversation, user)
