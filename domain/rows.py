"""Fetching one row by id where its absence is the person's mistake, not a bug."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from .errors import NotFound

T = TypeVar("T")


async def get_row(session: AsyncSession, model: type[T], row_id: Any, missing: str, **params: Any) -> T:
    """The `model` row with this id, or NotFound(missing) (a template marked with N_)."""
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound(missing, **params)
    return row
