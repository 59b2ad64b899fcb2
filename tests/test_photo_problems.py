"""A barcode photo the bot cannot read: the reply says why, in the person's language, and what to do."""
import pytest

from bot.app import load_decoder, load_photo_explainer
from domain.models import Role, User

from .barcodes import photo_problems
from .dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    services.decode_image = load_decoder()
    services.explain_photo = load_photo_explainer()
    async with services.uow() as uow:
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900))
        await uow.commit()
    return services


@pytest.mark.parametrize("make, words", [
    (photo_problems.dark, ["too dark", "flash"]),
    (photo_problems.glared, ["glare", "Tilt"]),
    (photo_problems.blurred, ["blurred", "Hold the phone still"]),
    (photo_problems.without_code, ["no barcode", "Point the camera"]),
])
async def test_the_reply_says_why_the_photo_failed_and_what_to_do(services, make, words):
    worker = Chat(dialogue_for(services), external_id="900")
    await worker.text("/receive")
    reply = "\n".join(r.text for r in await worker.send(kind="photo", data=make()))
    assert all(w in reply for w in words), reply
    assert "type the digits" in reply


async def test_the_reason_is_translated(services):
    async with services.uow() as uow:
        uow.session.add(User(name="Olga", role=Role.warehouse, telegram_id=901, language="ru"))
        await uow.commit()
    worker = Chat(dialogue_for(services), external_id="901", lang="ru")
    reply = "\n".join(r.text for r in await worker.send(kind="photo", data=photo_problems.dark()))
    assert "слишком тёмное" in reply and "вспышку" in reply, reply
