"""The names speech recognition should expect, read from the database:
customers, suppliers, products (with their aliases) and the team's people."""
from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.models import Customer, Product, Supplier, User


async def speech_vocabulary(session: AsyncSession, limit: int = 3000) -> list[str]:
    """Distinct names, customers first (they are said most), at most `limit`."""
    names: dict[str, None] = {}

    def add(name: str | None) -> None:
        if name and name.strip():
            names.setdefault(name.strip(), None)

    for column in (Customer.name, Supplier.name, User.name):
        for name in (await session.exec(select(column).distinct().limit(limit))).all():
            add(name)
    rows = (await session.exec(select(Product.name, Product.aliases).where(Product.active).limit(limit))).all()
    for name, aliases in rows:
        add(name)
        for alias in (aliases or "").split(","):
            add(alias)
    return list(names)[:limit]
