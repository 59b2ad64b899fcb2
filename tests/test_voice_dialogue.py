"""Voice notes through the dialogue: espeak-ng speech -> OGG/Opus -> transcription -> the same handling as text."""
import pytest
from sqlmodel import select

from bot.app import load_parser, load_speech
from bot.settings import load_settings
from domain.demo import seed_demo
from domain.models import Role, User

from .dialogue_helpers import Chat, dialogue_for, make_services
from .speech.conftest import needs_espeak, voice_note


@pytest.fixture
async def services(engine, database_url):
    services = make_services(engine, database_url)
    services.parse = load_parser()
    services.transcribe = load_speech(services.settings)
    async with services.uow() as uow:
        await seed_demo(uow.session, company=load_settings().company)
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=77, language="en"))
        await uow.commit()
    return services


@needs_espeak
async def test_spoken_question_is_answered_after_showing_what_was_heard(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=voice_note("where is order one zero four two"))
    text = "\n".join(r.text for r in replies)
    assert "I heard" in text and "1042" in text
    assert "Order 1042" in text  # read-only: answered straight away


@needs_espeak
async def test_spoken_command_waits_for_confirmation(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=voice_note("start picking order one zero four two"))
    assert "I heard" in replies[0].text
    assert [b.data for b in chat.buttons()] == ["voice:ok", "voice:no"]
    assert "nothing done" in (await chat.press("voice:no")).lower()


async def test_not_audio_gets_a_clear_answer(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=b"definitely not audio")
    assert "audio" in replies[0].text.lower()
