"""Driving the dialogue directly, the way a channel adapter does."""
from __future__ import annotations

from bot.app import build_dialogue
from bot.dialogue.messages import Inbound
from bot.services import Services
from bot.settings import load_settings
from storage.engine import session_factory
from storage.uow import UnitOfWorkFactory


def make_services(engine, url: str, **overrides) -> Services:
    settings = load_settings(database={"url": url}, **overrides)
    return Services(settings=settings, engine=engine, uow=UnitOfWorkFactory(session_factory(engine)))


class Chat:
    """One person talking to the dialogue on a channel."""

    def __init__(self, dialogue, external_id: str = "1001", channel: str = "telegram", name: str = "Ann", lang: str = "en"):
        self.dialogue, self.external_id, self.channel, self.name, self.lang = dialogue, external_id, channel, name, lang
        self._event = 0
        self.last = []

    async def send(self, text: str | None = None, *, kind: str = "text", callback: str | None = None, data: bytes | None = None,
                   chat_type: str = "private", event_id: str | None = None, filename: str | None = None):
        self._event += 1
        inbound = Inbound(channel=self.channel, external_id=self.external_id, kind=kind, text=text, callback=callback, data=data,
                          filename=filename, sender_name=self.name, language_code=self.lang, chat_type=chat_type,
                          event_id=event_id)
        self.last = await self.dialogue.handle(inbound)
        return self.last

    async def text(self, text: str) -> str:
        replies = await self.send(text)
        return "\n".join(r.text for r in replies)

    async def press(self, data: str) -> str:
        replies = await self.send(kind="callback", callback=data)
        return "\n".join(r.text for r in replies)

    def buttons(self) -> list:
        return [b for r in self.last for row in r.buttons for b in row]


def dialogue_for(services: Services):
    return build_dialogue(services)
