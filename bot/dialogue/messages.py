"""What a channel hands to the dialogue and what it gets back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback payload, <= 64 bytes (Telegram's limit)
    web_app: str | None = None  # opens this page as a Telegram Mini App instead of sending data


@dataclass(frozen=True)
class Attachment:
    kind: Literal["photo", "document"]
    filename: str
    data: bytes
    caption: str | None = None


@dataclass
class Reply:
    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    edit: bool = False  # replace the message whose button was pressed
    # The person's command menu changed (joined, new role, new language): (command, description) pairs
    # for channels that show a menu (Telegram's setMyCommands for that chat).
    menu: list[tuple[str, str]] | None = None
    error: bool = False  # the message was refused (bad input, a rule): nothing changed


InboundKind = Literal["text", "callback", "photo", "document", "voice", "sticker", "edited", "other"]


@dataclass
class Inbound:
    channel: str  # telegram | console | sms
    external_id: str  # chat id on that channel
    kind: InboundKind = "text"
    text: str | None = None
    callback: str | None = None
    data: bytes | None = None  # photo, document or voice bytes
    filename: str | None = None
    sender_name: str | None = None
    language_code: str | None = None
    chat_type: str = "private"
    event_id: str | None = None  # idempotency key: "tg:<update_id>", "sms:<MessageSid>"
    meta: dict[str, Any] = field(default_factory=dict)
