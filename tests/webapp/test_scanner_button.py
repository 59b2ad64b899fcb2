"""Every step that takes a scan offers the camera on Telegram (pick, put-away, receive, count),
and only there: not in the console, not without an HTTPS public address."""
from sqlmodel import select

from domain.models import Location, Role, User, Warehouse

from ..dialogue_helpers import Chat, dialogue_for, make_services


def _scanner(chat) -> str | None:
    return next((b.web_app for b in chat.buttons() if b.web_app), None)


async def test_receive_and_count_offer_the_camera_scanner(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url, http={"public_url": "https://qm.example.test"})
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900))
        main = (await uow.session.exec(select(Warehouse).where(Warehouse.code == "MAIN"))).one()
        bin_ = (await uow.session.exec(select(Location).where(Location.warehouse_id == main.id,
                                                               Location.kind == "storage"))).first()
        await uow.commit()
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text("/receive")
    assert _scanner(worker) == "https://qm.example.test/webapp/scan?flow=receive&lang=en"
    await worker.text("/cancel")
    await worker.text(f"/count {bin_.code}")
    assert "flow=count" in (_scanner(worker) or "")
    await worker.text("/cancel")
    assert _scanner(worker) is None  # outside a scanning step, nothing to open

    console = Chat(dialogue_for(services), external_id="console-w", channel="console")
    async with services.uow() as uow:
        uow.session.add(User(name="console-w", role=Role.warehouse, console_name="console-w"))
        await uow.commit()
    await console.text("/receive")
    assert _scanner(console) is None  # a terminal can't open a Mini App


async def test_no_camera_button_without_an_https_address(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url, http={"public_url": "http://qm.example.test"})
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900))
        await uow.commit()
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text("/receive")
    assert _scanner(worker) is None  # Telegram opens Mini Apps over HTTPS only
