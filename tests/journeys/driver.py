"""A small driver that makes an end-to-end journey read like a script.

One real `qm run` process per test module serves a copy of the demo company, talking to the
local Bot API server (tests/fakes/telegram_server.py) exactly as it talks to Telegram. A person
joins with an invite (`/start CODE`, as in real life) and then:

    rep = await app.join("sales", "Rita")
    await rep.says("Called ACME Ltd., they want a catalogue")
    await rep.taps("Remind me tomorrow")
    await worker.scans("3801000000017")       # a handheld scanner types the code and Enter
    await worker.sends_photo(jpeg_bytes)
    rep.spent(messages=1, taps=1)            # the budget of the journey: at most this many

Every action waits for the bot's whole answer: its messages (edits, photos, documents) in that chat
until the process counts the answer as sent (`qm_outbound_total` on /metrics goes up once every
reply of the update went out); `answer.text` joins them. Joining is not counted; everything after
is, until `reset()`. An answer saying "something went wrong" fails the journey on the spot.

    PYTHONPATH=$PWD QM_TEST_DB=sqlite .venv/bin/python -m pytest tests/journeys -p no:cacheprovider

prints at the end what each journey took; QM_JOURNEY_TRACE=1 (with -s) prints every conversation.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import create_engine, session_factory

from ..fakes.telegram_server import BotCall, TelegramServer

# What the bot does in a chat when it answers (chat actions and failed calls are not answers).
ANSWERS = {"sendMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "sendPhoto", "sendDocument"}
TRACE = bool(os.environ.get("QM_JOURNEY_TRACE"))  # print every conversation (pytest -s)
FIRST_ANSWER_S = 60  # the first answer may wait for a report or a PDF to be rendered on a loaded machine
# An answer the process never counts (its error handler's "Sorry, something went wrong") is taken as
# whole after this long without another message.
QUIET = 2.0
_OUTBOUND = re.compile(r'^qm_outbound_total\{channel="telegram"\} ([0-9.e+]+)$', re.MULTILINE)


def buttons_of(call: BotCall) -> list[dict]:
    """The inline buttons under a message the bot sent, as {"text", "callback_data"} dicts."""
    markup = (call.result or {}).get("reply_markup") if isinstance(call.result, dict) else None
    markup = markup or call.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Answer:
    """What the bot did in answer to one action: its messages, edits and files, in order."""

    calls: list[BotCall]

    @property
    def text(self) -> str:
        return "\n".join(c.text or "" for c in self.calls if c.text)

    @property
    def files(self) -> list[Any]:
        """Uploaded files (name, data) of sendDocument / sendPhoto."""
        return [part for c in self.calls for part in c.files.values()]

    @property
    def photos(self) -> list[Any]:
        return [part for c in self.calls if c.method == "sendPhoto" for part in c.files.values()]

    @property
    def documents(self) -> list[Any]:
        return [part for c in self.calls if c.method == "sendDocument" for part in c.files.values()]

    def message(self, words: str) -> BotCall:
        """The one message of this answer containing `words` (an answer may be several messages)."""
        found = [c for c in self.calls if words.lower() in (c.text or "").lower()]
        assert len(found) == 1, f"{len(found)} messages with {words!r} in {self!r}"
        return found[0]

    def with_buttons(self) -> BotCall | None:
        return next((c for c in reversed(self.calls) if buttons_of(c)), None)

    def __contains__(self, words: str) -> bool:
        return words.lower() in self.text.lower()

    def __repr__(self) -> str:
        return f"Answer({self.text!r}, files={[f.filename for f in self.files]})"


@dataclass
class Person:
    """Someone in a private chat with the bot, counting what they do."""

    app: "App"
    chat_id: int
    name: str
    role: str
    user_id: int | None = None
    # messages: texts typed (commands, sentences, answers); scans: codes a handheld scanner typed, or
    # barcode photos; photos: other photos; taps: buttons pressed
    count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("messages", "scans", "photos", "taps"), 0))
    history: list[Answer] = field(default_factory=list)

    @property
    def tg(self) -> TelegramServer:
        return self.app.telegram

    # --- what a person does ----------------------------------------------------------------
    async def says(self, text: str, *, count: bool = True) -> Answer:
        if count:
            self.count["messages"] += 1
        return await self._act(lambda: self.tg.send_text(self.chat_id, text, first_name=self.name, language_code="en"),
                               text)

    async def scans(self, code: str) -> Answer:
        """A handheld scanner in keyboard mode: the code arrives as a typed message."""
        self.count["scans"] += 1
        return await self._act(lambda: self.tg.send_text(self.chat_id, code, first_name=self.name, language_code="en"),
                               f"(scans) {code}")

    async def sends_photo(self, jpeg: bytes, *, of_barcode: bool = False) -> Answer:
        self.count["scans" if of_barcode else "photos"] += 1
        return await self._act(lambda: self.tg.send_photo(self.chat_id, jpeg, first_name=self.name, language_code="en"),
                               "(a photo)")

    async def taps(self, label: str, *, on: BotCall | None = None) -> Answer:
        """Presses the button whose label contains `label` (any case) under the latest message with
        buttons, or under the message `on` (an older one, as a person scrolling up would)."""
        message = on or self.latest_with_buttons()
        assert message is not None, f"{self.name}: no message with buttons to tap {label!r} on"
        data = self.button(label, message)
        self.count["taps"] += 1
        return await self._act(lambda: self.tg.press_button(self.chat_id, message, data, first_name=self.name,
                                                            language_code="en"), f"(taps) {label}")

    async def receives(self, words: str, timeout: float = 30) -> BotCall:
        """Waits for a message the bot sends on its own (a due reminder...) containing `words`."""
        seen = len(self._answers())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self._answers()[seen:]:
                if words.lower() in (call.text or "").lower():
                    return call
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} got no message with {words!r} in {timeout}s; last: {self.last!r}")

    # --- what a person sees ---------------------------------------------------------------
    @property
    def last(self) -> Answer:
        return self.history[-1] if self.history else Answer([])

    def latest_with_buttons(self) -> BotCall | None:
        return next((c for c in reversed(self._answers()) if buttons_of(self._current(c))), None)

    def button(self, label: str, message: BotCall) -> str:
        buttons = buttons_of(self._current(message))
        exact = [b for b in buttons if b["text"].lower() == label.lower()]
        found = exact or [b for b in buttons if label.lower() in b["text"].lower()]
        assert len(found) == 1, f"{self.name}: {len(found)} buttons match {label!r} among {[b['text'] for b in buttons]}"
        return found[0]["callback_data"]

    def labels(self, message: BotCall | None = None) -> list[str]:
        message = message or self.latest_with_buttons()
        return [b["text"] for b in buttons_of(self._current(message))] if message else []

    # --- the budget ---------------------------------------------------------------------------
    def spent(self, *, messages: int = 0, taps: int = 0, scans: int = 0, photos: int = 0) -> None:
        """Asserts the journey took at most this many of each (and says what it did take)."""
        allowed = {"messages": messages, "taps": taps, "scans": scans, "photos": photos}
        over = {k: (self.count[k], allowed[k]) for k in allowed if self.count[k] > allowed[k]}
        assert not over, f"{self.name} went over the budget (did, allowed): {over}"

    def reset(self) -> None:
        """Forgets the counts: what came before was the journey's setting up."""
        self.count = dict.fromkeys(self.count, 0)

    # --- plumbing -----------------------------------------------------------------------------
    def _answers(self) -> list[BotCall]:
        return [c for c in self.tg.sent(chat_id=self.chat_id) if c.ok and c.method in ANSWERS]

    def _current(self, call: BotCall) -> BotCall:
        """The message as it is now (an edit may have changed or removed its buttons)."""
        if not isinstance(call.result, dict) or "message_id" not in call.result:
            return call
        try:
            now = self.tg.message(self.chat_id, call.result["message_id"])
        except KeyError:
            return call
        return BotCall(call.method, {**call.params, "reply_markup": now.get("reply_markup") or {}}, call.files,
                       result=now)

    async def _act(self, do: Callable[[], Any], what: str = "") -> Answer:
        before, sent = len(self._answers()), await self.app.outbound()
        do()
        answer = Answer(await self._wait(before, sent))
        assert "something went wrong" not in answer.text.lower(), f"{self.name} > {what}: {answer!r}"
        if TRACE:
            print(f"\n{self.name} ({self.role}) > {what}\n    " + answer.text.replace("\n", "\n    ")
                  + "".join(f"\n    [{b['text']}]" for c in answer.calls for b in buttons_of(c))
                  + "".join(f"\n    <file {f.filename}>" for f in answer.files))
        self.history.append(answer)
        return answer

    async def _wait(self, before: int, sent: float) -> list[BotCall]:
        deadline = time.monotonic() + FIRST_ANSWER_S
        while len(self._answers()) == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} got no answer in {FIRST_ANSWER_S}s (the conversation dead-ended)")
            await asyncio.sleep(0.02)
        count, still = len(self._answers()), time.monotonic()
        while await self.app.outbound() == sent and time.monotonic() - still < QUIET:
            await asyncio.sleep(0.02)
            if len(self._answers()) != count:
                count, still = len(self._answers()), time.monotonic()
        return self._answers()[before:]


class App:
    """The running `qm run` (through the Telegram test server) and its database, for one module."""

    def __init__(self, telegram: TelegramServer, database_url: str, chat_ids: itertools.count, http_port: int):
        self.telegram = telegram
        self.database_url = database_url
        self._chat_ids = chat_ids
        self._metrics = f"http://127.0.0.1:{http_port}/metrics"
        self.people: list[Person] = []  # who took part in the current journey

    async def outbound(self) -> float:
        """Replies the process has finished sending in conversations, all chats together."""
        async with httpx.AsyncClient(timeout=10) as client:
            found = _OUTBOUND.search((await client.get(self._metrics)).text)
        return float(found.group(1)) if found else 0.0

    async def join(self, role: str, name: str) -> Person:
        """A new person with an invite for `role` (made as `qm invite` makes it) sends /start CODE."""
        from domain.access import create_invite
        from domain.models import User
        from sqlmodel import select

        async def invite(s: AsyncSession) -> str:
            code = (await create_invite(s, role, ttl_hours=1)).code
            await s.commit()
            return code

        code = await self.db(invite)
        person = Person(self, next(self._chat_ids), name, role)
        welcome = await person.says(f"/start {code}", count=False)
        assert "Welcome" in welcome.text, welcome

        async def user_id(s: AsyncSession) -> int:
            return (await s.exec(select(User.id).where(User.telegram_id == person.chat_id))).one()

        person.user_id = await self.db(user_id)
        self.people.append(person)
        return person

    def stranger(self, name: str = "Stranger") -> Person:
        person = Person(self, next(self._chat_ids), name, "stranger")
        self.people.append(person)
        return person

    async def db(self, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """Runs fn(session) on the module's database: arranging a journey's data, checking its goal."""
        engine = create_engine(self.database_url)
        try:
            async with session_factory(engine)() as s:
                return await fn(s)
        finally:
            await engine.dispose()

    async def one(self, statement) -> Any:
        async def run(s: AsyncSession):
            return (await s.exec(statement)).first()
        return await self.db(run)

    async def all(self, statement) -> list[Any]:
        async def run(s: AsyncSession):
            return list((await s.exec(statement)).all())
        return await self.db(run)
