"""Voice notes through the dialogue: espeak-ng speech -> OGG/Opus -> Whisper ->
"I heard: …" -> Confirm / Edit / Cancel -> the same handling as text."""
import logging

import pytest
from sqlmodel import select

from bot.app import load_parser, load_speech
from bot.dialogue.flows.voice import language_name, mark_unsure
from domain.models import PickList, PickTask, Location, Product, Reminder, Role, User

from .dialogue_helpers import Chat, dialogue_for, make_services
from .speech.conftest import needs_espeak, voice_note


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    services.parse = load_parser()
    services.transcribe = load_speech(services.settings)
    async with services.uow() as uow:
        uow.session.add(User(name="Boss", role=Role.manager, telegram_id=77, language="en"))
        uow.session.add(User(name="Olga", role=Role.manager, telegram_id=78, language="ru"))
        uow.session.add(User(name="Georgi", role=Role.warehouse, telegram_id=900, language="en"))
        uow.session.add(User(name="Boss2", role=Role.manager, telegram_id=901, language="en"))
        await uow.commit()
    return services


async def _reminders(services) -> list[Reminder]:
    """The reminders about the printer people (the demo company has reminders of its own)."""
    async with services.uow() as uow:
        return [r for r in (await uow.session.exec(select(Reminder))).all() if "printer" in r.text.lower()]


@needs_espeak
async def test_spoken_question_is_answered_after_showing_what_was_heard(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=voice_note("where is order one zero four two"))
    text = "\n".join(r.text for r in replies)
    assert "I heard" in text and "1042" in text
    assert "Order 1042" in text  # read-only: answered straight away


@needs_espeak
async def test_spoken_command_is_recorded_only_after_confirm(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=voice_note("remind me to call the printer people tomorrow at ten"))
    assert "I heard" in replies[0].text and "10" in replies[0].text
    assert [b.data for b in chat.buttons()] == ["voice:ok", "voice:edit", "voice:no"]
    assert await _reminders(services) == []
    reply = await chat.press("voice:ok")
    assert "I'll remind you" in reply
    assert len(await _reminders(services)) == 1


@needs_espeak
async def test_cancel_books_nothing(services):
    chat = Chat(dialogue_for(services), external_id="77")
    await chat.send(kind="voice", data=voice_note("remind me to call the printer people tomorrow at ten"))
    assert "nothing done" in (await chat.press("voice:no")).lower()
    assert await _reminders(services) == []


@needs_espeak
async def test_edit_lets_the_person_type_it_instead(services):
    chat = Chat(dialogue_for(services), external_id="77")
    await chat.send(kind="voice", data=voice_note("remind me to call the printer people tomorrow at ten"))
    prompt = await chat.press("voice:edit")
    assert "Type it" in prompt and "remind" in prompt.lower()
    assert await _reminders(services) == []
    reply = await chat.text("where is order 1042")
    assert "Order 1042" in reply
    assert await _reminders(services) == []


async def test_a_language_without_a_model_gets_a_clear_answer_in_that_language(services, caplog):
    chat = Chat(dialogue_for(services), external_id="78", lang="ru")
    with caplog.at_level(logging.WARNING):
        replies = await chat.send(kind="voice", data=b"OggS not decoded: the model is missing first")
    assert "русск" in replies[0].text and "напишите" in replies[0].text
    assert "speech.models.ru" in caplog.text  # the operator sees which key to set


async def test_not_audio_gets_a_clear_answer(services):
    chat = Chat(dialogue_for(services), external_id="77")
    replies = await chat.send(kind="voice", data=b"definitely not audio")
    assert "audio" in replies[0].text.lower()


class RecordingSpeech:
    """The real engine, remembering the names it was asked to expect."""

    def __init__(self, real):
        self.real, self.vocabulary = real, []

    def transcribe(self, audio, lang=None, vocabulary=(), expected=(), score=None):
        self.vocabulary, self.expected, self.score = list(vocabulary), list(expected), score
        return self.real.transcribe(audio, lang=lang, vocabulary=vocabulary, expected=expected, score=score)


@needs_espeak
async def test_a_free_note_is_judged_by_the_parser_and_a_step_answer_is_not(services):
    services.transcribe = RecordingSpeech(services.transcribe)
    chat = Chat(dialogue_for(services), external_id="77")
    await chat.send(kind="voice", data=voice_note("where is order one zero four two"))
    judge = services.transcribe.score
    assert judge is not None and judge("where is order 1042") > 0.8 and judge("") == 0.0


@needs_espeak
async def test_during_a_pick_the_bin_and_product_asked_for_come_first(services):
    from .test_warehouse_flow import _order_with_stock

    order = await _order_with_stock(services)
    services.transcribe = RecordingSpeech(services.transcribe)
    worker = Chat(dialogue_for(services), external_id="900")
    assert "scan its label" in await worker.text(f"/pick {order.number}")
    async with services.uow() as uow:
        pl = (await uow.session.exec(select(PickList).where(PickList.order_id == order.id))).one()
        task = (await uow.session.exec(select(PickTask).where(PickTask.pick_list_id == pl.id))).first()
        bin_code = (await uow.session.get(Location, task.location_id)).code
        product = await uow.session.get(Product, task.product_id)
    replies = await worker.send(kind="voice", data=voice_note("I am at the bin"))
    assert "I heard" in replies[0].text
    assert services.transcribe.expected[:3] == [bin_code, product.name, product.sku]  # Whisper's prompt
    assert product.name in services.transcribe.vocabulary  # the company's names, to put misheard ones right
    assert [b.data for b in worker.buttons()] == ["voice:ok", "voice:edit", "voice:no"]  # inside a flow: always confirmed
    assert services.transcribe.score is None  # a step's answer is no free note: heard once


def test_unsure_words_are_bracketed():
    assert mark_unsure("Pick C-25, then 45 boxes.", ("c-25", "boxes")) == "Pick [C-25], then 45 [boxes]."
    assert mark_unsure("Order 1042.", ()) == "Order 1042."
    assert mark_unsure("Order 1,042", ("1,042",)) == "Order [1,042]"


def test_language_names_in_the_persons_language():
    assert language_name("ru", "en") == "Russian"
    assert language_name("ru", "ru") == "русский"
    assert language_name("xx", "en") == "xx"
