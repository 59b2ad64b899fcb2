"""Corrections of the language layer: kept when a person picks one of the readings the
assistant offered, exported by an administrator for `python -m nlu.train`."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import NluCorrection, User

MAX_TEXT = 2000


async def record(session: AsyncSession, user: User | None, *, text: str, lang: str, intent: str,
                 offered: Iterable[tuple[str, float]] = ()) -> NluCorrection:
    row = NluCorrection(user_id=user.id if user is not None else None, lang=lang or "", text=text[:MAX_TEXT], intent=intent,
                        offered=[[name, round(float(score), 4)] for name, score in offered])
    session.add(row)
    await session.flush()
    return row


async def export(session: AsyncSession) -> list[dict]:
    """Oldest first, in the training format: {"text", "intent", "lang"}."""
    rows = (await session.exec(select(NluCorrection).order_by(NluCorrection.id))).all()
    return [{"text": r.text, "intent": r.intent, "lang": r.lang} for r in rows]
