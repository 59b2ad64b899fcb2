"""Admins change roles and block people in the chat; the last administrator stays; all of it audited."""
import asyncio

import pytest
from sqlmodel import select

from domain import access
from domain.errors import Conflict, PermissionDenied
from domain.models import AuditEntry, Outbox, Role, User


async def _user(services, name) -> User:
    async with services.uow() as uow:
        return (await uow.session.exec(select(User).where(User.name == name))).one()


async def _outbox(services) -> list[Outbox]:
    async with services.uow() as uow:
        return (await uow.session.exec(select(Outbox).order_by(Outbox.id))).all()


async def test_people_list_card_and_role_change_by_button(chat, people, services):
    admin = chat("admin")
    reply = await admin.text("/people")
    assert "People who use the assistant (5):" in reply
    assert f"{people['rep'].id}. Maria Rep — sales rep" in reply
    assert any(b.data == f"ppl:{people['rep'].id}" for b in admin.buttons())
    card = await admin.press(f"ppl:{people['rep'].id}")
    assert "Maria Rep — sales rep" in card
    assert {b.data for b in admin.buttons()} >= {f"ppl:r:{people['rep'].id}:manager", f"ppl:b:{people['rep'].id}",
                                                 f"ppl:h:{people['rep'].id}"}
    assert "Maria Rep: role changed to manager." in await admin.press(f"ppl:r:{people['rep'].id}:manager")
    assert (await _user(services, "Maria Rep")).role == Role.manager

    # she is told, in her language, with her new command menu
    [note] = await _outbox(services)
    assert (note.channel, note.recipient) == ("telegram", "8003")
    assert note.body == "Your role is now manager. Send /help to see what you can do."
    commands = [c for c, _ in note.payload["menu"]]
    assert "history" in commands and "plan" in commands and "people" not in commands

    # and it is in the log: who, through which channel, before -> after
    async with services.uow() as uow:
        [entry] = (await uow.session.exec(select(AuditEntry).where(AuditEntry.entity == "person", AuditEntry.action == "changed"))).all()
    assert (entry.entity_id, entry.actor, entry.channel, entry.before, entry.after) == (
        str(people["rep"].id), "Anna Admin", "telegram", {"role": "sales"}, {"role": "manager"})
    history = await admin.press(f"ppl:h:{people['rep'].id}")
    assert "Anna Admin (telegram): changed (role: sales → manager)" in history


async def test_role_command_by_name_and_bad_input_changes_nothing(chat, people, services):
    admin = chat("admin")
    assert "Georgi Floor: role changed to sales rep." in await admin.text("/role georgi sales")
    assert "already has the role" in await admin.text("/role Georgi Floor sales")
    assert "Unknown role captain" in await admin.text("/role Georgi captain")
    assert "Nobody called Nemo" in await admin.text("/role Nemo manager")
    assert "/role Ann manager" in await admin.text("/role")
    assert (await _user(services, "Georgi Floor")).role == Role.sales
    assert len(await _outbox(services)) == 1  # told once, for the one real change


async def test_blocked_person_gets_a_short_refusal_and_nothing_else(chat, people, services):
    admin, rep = chat("admin"), chat("rep")
    assert "Maria Rep is blocked" in await admin.text("/block Maria")
    replies = await rep.send("/help")
    assert len(replies) == 1 and "Your access has been blocked" in replies[0].text and "/help" not in replies[0].text
    assert "blocked" in await rep.text("who changed order 1042?")
    note = (await _outbox(services))[-1]
    assert note.recipient == "8003" and "blocked" in note.body and note.payload == {"menu": []}
    assert "already blocked" in await admin.text("/block Maria")
    people_list = await admin.text("/people")
    assert "Maria Rep — sales rep, blocked" in people_list

    assert "Maria Rep is unblocked." in await admin.text(f"/unblock {people['rep'].id}")
    assert "You are signed in as Maria Rep" in await rep.text("/help")
    note = (await _outbox(services))[-1]
    assert "restored" in note.body and "order" in [c for c, _ in note.payload["menu"]]
    async with services.uow() as uow:
        entries = (await uow.session.exec(select(AuditEntry).where(AuditEntry.entity == "person").order_by(AuditEntry.id))).all()
    assert [(e.before, e.after) for e in entries if e.action == "changed"] == [
        ({"blocked": False}, {"blocked": True}), ({"blocked": True}, {"blocked": False})]


async def test_the_last_admin_can_neither_demote_nor_block_themselves(chat, people, services):
    admin = chat("admin")
    assert "Anna Admin is the last administrator" in await admin.text("/role Anna manager")
    assert "Anna Admin is the last administrator" in await admin.text("/block Anna")
    me = await _user(services, "Anna Admin")
    assert (me.role, me.blocked) == (Role.admin, False)

    # with a second admin she may step down; her own menu shrinks at once
    assert "Elena Boss: role changed to administrator." in await admin.text("/role Elena admin")
    replies = await admin.send("/role Anna manager")
    assert "Anna Admin: role changed to manager." in replies[0].text
    assert replies[0].menu is not None and "people" not in [c for c, _ in replies[0].menu]
    assert "can't do that" in await admin.text("/people")


async def test_only_admins_manage_people(chat, people, services):
    for who in ("boss", "rep", "wh"):
        c = chat(who)
        for text in ("/people", "/role Maria admin", "/block Anna", "/unblock Anna"):
            assert "can't do that" in await c.text(text)
        assert "can't do that" in await c.press(f"ppl:r:{people[who].id}:admin")
    assert (await _user(services, "Maria Rep")).role == Role.sales
    async with services.uow() as uow:
        with pytest.raises(PermissionDenied):
            await access.set_role(uow.session, people["boss"], people["rep"].id, "admin")


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(services, people):
    async with services.uow() as uow:
        elena = await uow.session.get(User, people["boss"].id)
        elena.role = Role.admin
        await uow.commit()
    first_flushed, first_may_commit = asyncio.Event(), asyncio.Event()

    async def anna_demotes_elena():
        async with services.uow() as uow:
            anna = await uow.session.get(User, people["admin"].id)
            await access.set_role(uow.session, anna, people["boss"].id, "manager")
            await uow.session.flush()
            first_flushed.set()
            await first_may_commit.wait()
            await uow.commit()

    async def elena_demotes_anna():
        await first_flushed.wait()
        # Anna commits a moment after Elena has started. PostgreSQL: Elena reads herself as an admin
        # before that, and the admins' row lock makes her wait and see the change. SQLite: her
        # transaction starts only once Anna's has committed (BEGIN IMMEDIATE).
        asyncio.get_running_loop().call_later(0.3, first_may_commit.set)
        async with services.uow() as uow:
            elena = await uow.session.get(User, people["boss"].id)
            await access.set_role(uow.session, elena, people["admin"].id, "manager")
            await uow.commit()

    results = await asyncio.gather(anna_demotes_elena(), elena_demotes_anna(), return_exceptions=True)
    assert results[0] is None and isinstance(results[1], (PermissionDenied, Conflict)), results
    async with services.uow() as uow:
        admins = (await uow.session.exec(select(User.name).where(User.role == Role.admin))).all()
    assert admins == ["Anna Admin"]
