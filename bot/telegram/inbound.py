"""Telegram Update -> Inbound (downloads photos, files and voice notes within limits, and only
for people who may use them: a stranger's or a blocked person's file is never fetched)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from ..dialogue.messages import Inbound
from ..settings import Settings


class TooLarge(Exception):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit


MayDownload = Callable[[Inbound], Awaitable[bool]]


async def to_inbound(update: Update, settings: Settings, may_download: MayDownload | None = None) -> Inbound | None:
    """may_download(inbound without its bytes) decides whether a file is fetched at all; when it says
    no, the Inbound goes on without data and the dialogue gives its usual answer (no access, blocked)."""
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

    async def fetch(inbound: Inbound, media, max_bytes: int) -> Inbound:
        if may_download is None or await may_download(inbound):
            inbound.data = await _download(media, max_bytes)
        return inbound

    if msg.photo:
        size = msg.photo[-1]  # largest
        return await fetch(Inbound(kind="photo", text=msg.caption, **base), size, limit)
    if msg.document is not None:
        doc = msg.document
        kind = "photo" if (doc.mime_type or "").startswith("image/") else "document"
        return await fetch(Inbound(kind=kind, filename=doc.file_name, text=msg.caption, **base), doc,
                           max(limit, 20 * 1024 * 1024))
    if msg.voice is not None or msg.audio is not None:
        media = msg.voice or msg.audio
        return await fetch(Inbound(kind="voice", filename=getattr(media, "file_name", None) or "voice.ogg",
                                   meta={"duration": media.duration}, **base), media, 20 * 1024 * 1024)
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
