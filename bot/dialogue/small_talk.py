"""Greetings and thanks said on their own ("hi", "привет", "mulțumesc", "谢谢").

People open a chat with a greeting and close it with thanks; the classifier has no
intent for either, and "Sorry, I didn't understand" is the wrong answer to "hello".
A fixed word list, matched against the whole message: "hi, stock of A4 paper" is a
request and goes to the parser as usual."""
from __future__ import annotations

import re

GREETINGS = frozenset({
    "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "morning", "hi there", "hello there",
    "привет", "здравствуйте", "здравствуй", "добрый день", "доброе утро", "добрый вечер", "здрасте", "салют",
    "здравей", "здравейте", "здрасти", "добро утро", "добър ден", "добър вечер", "zdravei", "zdraveite",
    "bună", "buna", "salut", "bună ziua", "buna ziua", "bună dimineața", "buna dimineata", "bună seara", "buna seara", "servus",
    "你好", "您好", "早上好", "早", "下午好", "晚上好", "嗨", "哈喽",
})
THANKS = frozenset({
    "thanks", "thank you", "thx", "ty", "thanks a lot", "cheers", "great thanks", "ok thanks", "ok thank you",
    "спасибо", "спс", "благодарю", "спасибо большое", "ок спасибо",
    "благодаря", "мерси", "благодаря ти", "благодаря ви", "blagodarya", "mersi",
    "mulțumesc", "multumesc", "mulțumim", "multumim", "ms",
    "谢谢", "谢谢你", "多谢", "感谢", "好的谢谢",
})
# punctuation, emoji and "bot" around the words do not change what was said
_NOISE = re.compile(r"[^\w\s]+|\b(?:bot|бот)\b", re.UNICODE)


def _words(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text.lower()).split())


def small_talk(text: str) -> str | None:
    """"greeting", "thanks" or None for anything that is a request."""
    words = _words(text)
    if words in GREETINGS:
        return "greeting"
    if words in THANKS:
        return "thanks"
    return None
