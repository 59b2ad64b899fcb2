"""The names speech recognition should expect, read from the database, most
likely first (the prompt that biases Whisper holds only the first few dozen):
what the current flow asks for (passed in), the person's own customers, the
other customers, products (with their aliases), suppliers, the team's people."""
from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.models import Customer, Product, Supplier, User


async def speech_vocabulary(session: AsyncSession, limit: int = 3000, *, person_id: int | None = None,
                            expected: Sequence[str] = ()) -> list[str]:
    """Distinct names in that order, at most `limit`."""
    names: dict[str, None] = {}

    def add(name: str | None) -> None:
        if name and name.strip():
            names.setdefault(name.strip(), None)

    for name in expected:
        add(name)
    if person_id is not None:
        own = select(Customer.name).where(Customer.owner_id == person_id).order_by(Customer.name).limit(limit)
        for name in (await session.exec(own)).all():
            add(name)
    for name in (await session.exec(select(Customer.name).order_by(Customer.name).limit(limit))).all():
        add(name)
    rows = (await session.exec(select(Product.name, Product.aliases).where(Product.active).order_by(Product.name).limit(limit))).all()
    for name, aliases in rows:
        add(name)
        for alias in (aliases or "").split(","):
            add(alias)
    for column in (Supplier.name, User.name):
        for name in (await session.exec(select(column).distinct().order_by(column).limit(limit))).all():
            add(name)
    return list(names)[:limit]
