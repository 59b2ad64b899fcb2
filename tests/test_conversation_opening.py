"""A message's opening (domain/conversations.py): the event recorded once, the conversation touched,
locked and loaded with its person; one statement on PostgreSQL, three on SQLite, the same outcome."""
import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from domain.conversations import open_conversation
from domain.models import Conversation, ProcessedUpdate, User, utcnow
from storage.engine import session_factory

long_ago = utcnow() - timedelta(days=3)


async def _chat(session, *, with_user: bool = True) -> tuple[int | None, int]:
    user = User(name="Ana", role="sales", telegram_id=77) if with_user else None
    if user is not None:
        session.add(user)
        await session.flush()
    conv = Conversation(channel="telegram", external_id="77", user_id=user.id if user else None,
                        flow="order", step="lines", data={"lines": [1, 2]}, updated_at=long_ago)
    session.add(conv)
    await session.commit()
    return (user.id if user else None), conv.id


async def _stored(engine, conv_id: int) -> tuple:
    async with session_factory(engine)() as s:
        keys = (await s.exec(sa.select(sa.func.count()).select_from(ProcessedUpdate))).one()[0]
        conv = await s.get(Conversation, conv_id)
        return keys, conv.updated_at


async def test_a_new_event_loads_the_conversation_with_its_person(engine, session):
    user_id, conv_id = await _chat(session)
    async with session_factory(engine)() as s:
        opened = await open_conversation(s, "telegram", "77", "tg:1")
        assert opened.fresh
        assert (opened.conversation.id, opened.conversation.flow, opened.conversation.data) == (conv_id, "order", {"lines": [1, 2]})
        assert opened.user.id == user_id and opened.user.name == "Ana"
        assert opened.conversation.updated_at > long_ago  # touched in the same statements
        assert not s.dirty  # nothing left for the flush to write
        await s.commit()
    keys, updated = await _stored(engine, conv_id)
    assert keys == 1 and updated > long_ago


async def test_a_redelivery_reads_and_writes_nothing(engine, session):
    _, conv_id = await _chat(session)
    async with session_factory(engine)() as s:
        assert (await open_conversation(s, "telegram", "77", "tg:1")).fresh
        await s.commit()
    _, first = await _stored(engine, conv_id)
    async with session_factory(engine)() as s:
        opened = await open_conversation(s, "telegram", "77", "tg:1")
        assert (opened.fresh, opened.conversation, opened.user) == (False, None, None)
        await s.commit()
    assert await _stored(engine, conv_id) == (1, first)


async def test_a_chat_without_a_conversation_or_person(engine, session):
    _, conv_id = await _chat(session, with_user=False)
    async with session_factory(engine)() as s:
        opened = await open_conversation(s, "telegram", "77", "tg:1")
        assert opened.fresh and opened.conversation.id == conv_id and opened.user is None
        opened = await open_conversation(s, "telegram", "78", "tg:2")
        assert (opened.fresh, opened.conversation, opened.user) == (True, None, None)


async def test_without_an_event_key_the_conversation_still_opens(engine, session):
    _, conv_id = await _chat(session)
    async with session_factory(engine)() as s:
        opened = await open_conversation(s, "telegram", "77", None)
        assert opened.fresh and opened.conversation.id == conv_id and opened.user.name == "Ana"
        await s.commit()
    assert await _stored(engine, conv_id) == (0, opened.conversation.updated_at)


async def test_two_deliveries_at_once_are_handled_once(engine, session):
    """The second waits for the first's transaction (the key, and on PostgreSQL the row lock), then
    finds the key: exactly one of them goes on."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: no two transactions overlap")
    await _chat(session)
    first_in = asyncio.Event()

    async def deliver(hold: bool) -> bool:
        async with session_factory(engine)() as s:
            opened = await open_conversation(s, "telegram", "77", "tg:9")
            if hold:
                first_in.set()
                await asyncio.sleep(0.3)  # the other delivery arrives meanwhile and must wait
            await s.commit()
            return opened.fresh

    async def second() -> bool:
        await first_in.wait()
        return await deliver(False)

    assert sorted(await asyncio.gather(deliver(True), second())) == [False, True]


async def test_the_next_message_sees_what_the_previous_one_committed(engine, session):
    """One person's two messages at once: the second waits for the first's row lock and gets the state
    the first committed (not the one it would have read when it started)."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: no two transactions overlap")
    await _chat(session)
    first_in = asyncio.Event()

    async def first() -> None:
        async with session_factory(engine)() as s:
            opened = await open_conversation(s, "telegram", "77", "tg:1")
            first_in.set()
            await asyncio.sleep(0.3)
            opened.conversation.step = "delivery"
            await s.commit()

    async def second() -> str:
        await first_in.wait()
        async with session_factory(engine)() as s:
            opened = await open_conversation(s, "telegram", "77", "tg:2")
            await s.commit()
            return opened.conversation.step

    _, step = await asyncio.gather(first(), second())
    assert step == "delivery"
