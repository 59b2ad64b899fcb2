"""A greeting or thanks on its own gets a friendly answer, not "Sorry, I didn't understand";
a greeting with a request is still the request."""
from __future__ import annotations

import pytest

from bot.dialogue.small_talk import small_talk

from .conftest import BOSS, WORKER


@pytest.mark.parametrize("text", ["hi", "Hello!", "good morning bot", "Привет)", "здравей", "Buna ziua", "你好！"])
def test_greetings(text):
    assert small_talk(text) == "greeting"


@pytest.mark.parametrize("text", ["thanks!", "Спасибо", "благодаря", "mersi", "谢谢"])
def test_thanks(text):
    assert small_talk(text) == "thanks"


@pytest.mark.parametrize("text", ["hi, stock of WID-001", "hello where is order 1042", "ok", "done", "salut 5 buc"])
def test_a_request_is_no_small_talk(text):
    assert small_talk(text) is None


async def test_the_chat_greets_back_and_still_answers_requests(services, chat):
    boss = chat(BOSS)
    hello = await boss.text("hi")
    assert "Hello, Boss!" in hello and "didn't understand" not in hello
    assert "welcome" in (await boss.text("thanks!")).lower()
    worker = chat(WORKER)
    stock = await worker.text("hello, stock WID-001")
    assert "WID-001" in stock and "Hello" not in stock


async def test_cancel_and_help_words_work_outside_a_flow_in_every_language(services, chat):
    boss = chat(BOSS)
    for word in ("отказ", "anulează", "取消"):
        reply = await boss.text(word)
        assert "not sure what you mean" not in reply and "didn't understand" not in reply
    assert "/help" in await boss.text("ajutor") or "/cancel" in await boss.text("ajutor")
