"""Joining with an invite, strangers, roles in /help, and input the bot must refuse politely."""
from datetime import timedelta

import pytest
from sqlmodel import select

from domain.access import create_invite
from domain.models import Conversation, Invite, ProcessedUpdate, User, utcnow

from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
def services(engine, database_url):
    return make_services(engine, database_url)


async def _invite(services, role="sales", ttl_hours=24):
    async with services.uow() as uow:
        inv = await create_invite(uow.session, role, ttl_hours=ttl_hours)
        await uow.commit()
        return inv.code


async def _users(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(User))).all()


async def test_stranger_is_told_how_to_join_and_sees_nothing(services):
    chat = Chat(dialogue_for(services))
    for text in ("/help", "where is order 1042", "/start", "/start WRONGCODE1"):
        reply = await chat.text(text)
        assert "invite" in reply.lower()
        assert "1042" not in reply
    assert await _users(services) == []


async def test_invite_registers_role_and_language_once(services):
    code = await _invite(services, "warehouse")
    ann = Chat(dialogue_for(services), external_id="501", name="Ann Lee", lang="ru-RU")
    reply = await ann.text(f"/start {code}")
    assert "warehouse" in reply.lower() or "склад" in reply.lower()
    [user] = await _users(services)
    assert (user.telegram_id, user.role, user.language, user.name) == (501, "warehouse", "ru", "Ann Lee")

    bob = Chat(dialogue_for(services), external_id="502", name="Bob")
    reply = await bob.text(f"/start {code}")
    assert "already been used" in reply
    assert len(await _users(services)) == 1


async def test_expired_invite_is_refused(services):
    code = await _invite(services, "sales")
    async with services.uow() as uow:
        inv = (await uow.session.exec(select(Invite).where(Invite.code == code))).one()
        inv.expires_at = utcnow() - timedelta(minutes=1)
        await uow.commit()
    reply = await Chat(dialogue_for(services)).text(f"/start {code}")
    assert "expired" in reply
    assert await _users(services) == []


async def test_help_lists_what_the_role_can_do(services):
    dialogue = dialogue_for(services)
    chat = Chat(dialogue, external_id="700")
    await chat.text(f"/start {await _invite(services, 'sales')}")
    help_text = await chat.text("/help")
    assert "/help" in help_text and "/undo" in help_text
    shown = {e.command for e in dialogue.router.help if f"/{e.command} " in help_text}
    from domain.permissions import can

    [user] = await _users(services)
    for entry in dialogue.router.help:
        assert (entry.command in shown) == (entry.capability is None or can(user, entry.capability))


@pytest.mark.parametrize("kind,expect", [("sticker", "can't use that kind"), ("edited", "only on new messages"), ("other", "can't use that kind")])
async def test_odd_messages_get_a_clear_answer(services, kind, expect):
    chat = Chat(dialogue_for(services), external_id="800")
    await chat.text(f"/start {await _invite(services)}")
    replies = await chat.send(kind=kind)
    assert expect in replies[0].text


async def test_empty_unknown_command_and_group(services):
    chat = Chat(dialogue_for(services), external_id="801")
    await chat.text(f"/start {await _invite(services)}")
    assert "empty" in await chat.text("   ")
    assert "don't know the command /frobnicate" in await chat.text("/frobnicate now")
    group = Chat(chat.dialogue, external_id="-100500")
    assert "private chats" in (await group.send("hello all", chat_type="group"))[0].text
    assert await group.send("lunch?", chat_type="group") == []  # said once, not on every message
    assert "private chats" in (await group.send("/help", chat_type="group"))[0].text


async def test_same_update_is_handled_once(services):
    code = await _invite(services)
    chat = Chat(dialogue_for(services), external_id="900")
    first = await chat.send(f"/start {code}", event_id="tg:77")
    again = await chat.send(f"/start {code}", event_id="tg:77")
    assert first and again == []
    async with services.uow() as uow:
        assert len((await uow.session.exec(select(ProcessedUpdate))).all()) == 1


async def test_blocked_person_gets_no_data(services):
    chat = Chat(dialogue_for(services), external_id="901")
    await chat.text(f"/start {await _invite(services)}")
    async with services.uow() as uow:
        user = (await uow.session.exec(select(User))).one()
        user.blocked = True
        await uow.commit()
    assert "blocked" in await chat.text("/help")


async def test_conversation_state_survives_a_new_dialogue_instance(services):
    chat = Chat(dialogue_for(services), external_id="902")
    await chat.text(f"/start {await _invite(services)}")
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation))).one()
        conv.flow, conv.step, conv.data = "demo", "waiting", {"n": 1}
        await uow.commit()
    restarted = Chat(dialogue_for(services), external_id="902")  # as after a process restart
    assert "Cancelled" in await restarted.text("/cancel")
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation))).one()
        assert conv.flow is None and conv.data == {}


async def test_cancel_in_words_inside_a_flow(services):
    chat = Chat(dialogue_for(services), external_id="903")
    await chat.text(f"/start {await _invite(services, 'manager')}")
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation))).one()
        conv.flow, conv.step, conv.data = "order", "lines", {"lines": []}
        await uow.commit()
    assert "Cancelled" in await chat.text("Отмена!")
