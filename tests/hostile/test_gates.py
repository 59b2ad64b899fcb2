"""What is checked before any work: the per-person message budget, who may send files (nothing
is downloaded for a stranger), uploads that are never confirmed, and the demo company at start-up."""
from __future__ import annotations

import asyncio
import os
import time

import pytest
from sqlmodel import func, select
from telegram import Update

from bot import uploads
from bot.app import open_services, seed_demo_if_empty
from bot.settings import load_settings
from bot.telegram.inbound import to_inbound
from domain.models import Conversation, Customer, ProcessedUpdate, Product, Role, User, Warehouse

from ..dialogue_helpers import Chat, dialogue_for, make_services
from . import xlsx

BOSS, STRANGER, BLOCKED = 501, 502, 503


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url, rate_limits={"message": "10 per 10 seconds"})
    async with services.uow() as uow:
        uow.session.add_all([User(name="Boss", role=Role.manager, telegram_id=BOSS),
                             User(name="Gone", role=Role.sales, telegram_id=BLOCKED, blocked=True)])
        await uow.commit()
    return services


async def _count(services, model) -> int:
    async with services.uow() as uow:
        return (await uow.session.exec(select(func.count()).select_from(model))).one()


# --- message budget -----------------------------------------------------------------------------
async def test_a_burst_of_messages_is_cut_off_with_one_clear_reply(services):
    dialogue = dialogue_for(services)
    boss, other = Chat(dialogue, external_id=str(BOSS)), Chat(dialogue, external_id="777")
    processed_before = await _count(services, ProcessedUpdate)
    replies = []
    started = time.perf_counter()
    for i in range(200):
        replies.append(await boss.send("/help", event_id=f"tg:burst{i}"))
    took = time.perf_counter() - started
    answered = [r for r in replies if r and "faster than I can read" not in r[0].text]
    refusals = [r for r in replies if r and "faster than I can read" in r[0].text]
    assert len(answered) == 10 and len(refusals) == 1, (len(answered), len(refusals))
    assert "please wait" in refusals[0][0].text
    assert sum(1 for r in replies if not r) == 189  # silence after the one refusal
    assert await _count(services, ProcessedUpdate) == processed_before + 10  # the rest never reached the database
    assert took < 30
    assert "You don't have access yet" in await other.text("hello")  # someone else is not affected


# --- files from strangers -------------------------------------------------------------------------
class _Bot:
    """Stands in for the Bot behind an Update: records every file fetch."""

    def __init__(self):
        self.fetched: list[str] = []

    async def get_file(self, file_id, **kw):
        self.fetched.append(file_id)
        raise AssertionError("a file was fetched")


def _document_update(user_id: int, chat_type: str = "private") -> dict:
    chat = {"id": user_id, "type": chat_type} if chat_type == "private" else {"id": -100, "type": chat_type, "title": "G"}
    return {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": chat, "from": {"id": user_id, "is_bot": False, "first_name": "X"},
        "document": {"file_id": "F1", "file_unique_id": "U1", "file_name": "products.xlsx", "file_size": 4700}}}


@pytest.mark.parametrize("who,chat_type,answer", [
    (STRANGER, "private", "You don't have access yet"),
    (BLOCKED, "private", "Your access has been blocked"),
    (BOSS, "group", "I work in private chats only"),
])
async def test_nothing_is_downloaded_for_someone_who_may_not_send_files(services, who, chat_type, answer):
    bot = _Bot()
    dialogue = dialogue_for(services)
    update = Update.de_json(_document_update(who, chat_type), bot)
    inbound = await to_inbound(update, services.settings, dialogue.may_receive_files)
    assert bot.fetched == [] and inbound.data is None and inbound.kind == "document"
    replies = await dialogue.handle(inbound)
    assert answer in replies[0].text


async def test_a_member_s_file_is_downloaded(services):
    class Fetching(_Bot):
        async def get_file(self, file_id, **kw):
            self.fetched.append(file_id)

            class File:
                async def download_as_bytearray(self):
                    return bytearray(b"sku,name\nA1,Bolt\n")
            return File()

    bot = Fetching()
    update = Update.de_json(_document_update(BOSS), bot)
    inbound = await to_inbound(update, services.settings, dialogue_for(services).may_receive_files)
    assert bot.fetched == ["F1"] and inbound.data == b"sku,name\nA1,Bolt\n"


# --- uploads --------------------------------------------------------------------------------------
def _our_uploads(before: set) -> set:
    return set(uploads.UPLOADS.iterdir()) - before if uploads.UPLOADS.is_dir() else set()


async def test_uploads_are_deleted_on_cancel_and_when_refused(services, tmp_path):
    boss = Chat(dialogue_for(services), external_id=str(BOSS))
    before = set(uploads.UPLOADS.iterdir()) if uploads.UPLOADS.is_dir() else set()
    replies = await boss.send(kind="document", data=b"sku,name\nA1,Bolt\n", filename="data.csv")
    assert "What does data.csv contain?" in replies[0].text
    assert len(_our_uploads(before)) == 1
    await boss.text("/cancel")
    assert _our_uploads(before) == set()

    await boss.send(kind="document", data=b"sku,name\nA1,Bolt\n", filename="products.csv")  # checked at once
    assert len(_our_uploads(before)) == 1 and "Import it?" in boss.last[0].text  # one row
    await boss.press("cancel:")
    assert _our_uploads(before) == set()

    await boss.send(kind="document", data=b"sku,name\nA1,Bolt\n", filename="data.csv")
    await boss.send(kind="document", data=b"sku,name\nA2,Nut\n", filename="data.csv")  # a second file replaces it
    assert len(_our_uploads(before)) == 1
    await boss.text("/order acme")  # another flow: the import is left and its file goes
    assert _our_uploads(before) == set()
    await boss.text("/cancel")

    bomb = xlsx.huge_dimension(tmp_path / "products.xlsx", [["sku", "name"], ["A1", "Bolt"]]).read_bytes()
    replies = await boss.send(kind="document", data=bomb, filename="products.xlsx")
    assert "declares 17,179,869,184 cells" in replies[0].text and "Nothing was imported" in replies[0].text
    assert _our_uploads(before) == set()


async def test_unconfirmed_uploads_expire(services, tmp_path):
    boss = Chat(dialogue_for(services), external_id=str(BOSS))
    before = set(uploads.UPLOADS.iterdir()) if uploads.UPLOADS.is_dir() else set()
    await boss.send(kind="document", data=b"sku,name\nA1,Bolt\n", filename="products.csv")
    [path] = _our_uploads(before)
    products = await _count(services, Product)
    old = time.time() - 2 * 3600
    os.utime(path, (old, old))
    assert uploads.sweep(3600) >= 1 and not path.exists()
    reply = await boss.press("imp_ok:")
    assert "The uploaded file is gone" in reply and "60 minutes" in reply
    assert await _count(services, Product) == products


# --- the demo company at start-up -----------------------------------------------------------------
async def test_demo_is_not_loaded_over_imported_data_and_start_up_goes_on(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"
    settings = load_settings(database={"url": url})
    services = await open_services(settings, seed_if_empty=False, with_nlu=False)
    async with services.uow() as uow:  # what an import of locations and products leaves: no customers
        uow.session.add(Warehouse(code="MAIN", name="Main"))
        uow.session.add(Product(sku="A1", name="Bolt"))
        await uow.commit()
    assert await seed_demo_if_empty(services) is False
    await services.engine.dispose()
    services = await open_services(settings, with_nlu=False)  # what `qm run` does: no UNIQUE failure
    assert await _count(services, Customer) == 0 and await _count(services, Warehouse) == 1
    await services.engine.dispose()


async def test_demo_loads_into_an_empty_database_and_a_failure_does_not_stop_start_up(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"
    settings = load_settings(database={"url": url})

    async def broken(*a, **kw):
        raise RuntimeError("demo data broken")

    monkeypatch.setattr("domain.demo.seed_demo", broken)
    services = await open_services(settings, seed_if_empty=True, with_nlu=False)
    assert await _count(services, Customer) == 0
    monkeypatch.undo()
    assert await seed_demo_if_empty(services) is True and await _count(services, Customer) > 0
    await services.engine.dispose()
