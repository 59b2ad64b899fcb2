"""Telegram Update -> Inbound (downloads photos, files and voice notes within limits)."""
from __future__ import annotations

from telegram import Update

from ..dialogue.messages import Inbound
from ..settings import Settings


class TooLarge(Exception):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit


async def to_inbound(update: Update, settings: Settings) -> Inbound | None:
    user = update.effective_user
    chat = update.effective_chat
    if chat is None or user is None:
        return None  # channel posts, polls, member updates: nothing for us
    base = dict(
        channel="telegram", external_id=str(chat.id), sender_name=user.full_name,
        language_code=user.language_code, chat_type=chat.type, event_id=f"tg:{update.update_id}",
    )
    if update.callback_query is not None:
        return Inbound(kind="callback", callback=update.callback_query.data or "", **base)
    if update.edited_message is not None:
        return Inbound(kind="edited", **base)
    msg = update.message
    if msg is None:
        return Inbound(kind="other", **base)
    if msg.text is not None:
        return Inbound(kind="text", text=msg.text, **base)
    limit = settings.limits.photo_bytes
    if msg.photo:
        size = msg.photo[-1]  # largest
        data = await _download(size, limit)
        return Inbound(kind="photo", data=data, text=msg.caption, **base)
    if msg.document is not None:
        doc = msg.document
        data = await _download(doc, max(limit, 20 * 1024 * 1024))
        kind = "photo" if (doc.mime_type or "").startswith("image/") else "document"
        return Inbound(kind=kind, data=data, filename=doc.file_name, text=msg.caption, **base)
    if msg.voice is not None or msg.audio is not None:
        media = msg.voice or msg.audio
        data = await _download(media, 20 * 1024 * 1024)
        return Inbound(kind="voice", data=data, filename=getattr(media, "file_name", None) or "voice.ogg",
                       meta={"duration": media.duration}, **base)
    if msg.sticker is not None:
        return Inbound(kind="sticker", **base)
    return Inbound(kind="other", **base)


async def _download(media, limit: int) -> bytes:
    if media.file_size and media.file_size > limit:
        raise TooLarge(media.file_size, limit)
    file = await media.get_file()
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        raise TooLarge(len(data), limit)
    return data
