"""The company's names for the language layer's gazetteers (nlu/names.py): customers,
suppliers and products with their aliases, read from the database (CompanyParser keeps them fresh)."""
from __future__ import annotations

from sqlmodel import select

from domain.models import Customer, Product, Supplier


def _forms(name: str, aliases: str = "") -> list[str]:
    return [name, *(a.strip() for a in (aliases or "").split(",") if a.strip())]


async def snapshot(session) -> dict:
    """{"customer": [[name, alias, ...], ...], "supplier": [...], "product": [...]} (JSON-ready)."""
    customers = (await session.exec(select(Customer.name, Customer.aliases))).all()
    suppliers = (await session.exec(select(Supplier.name))).all()
    products = (await session.exec(select(Product.name, Product.aliases).where(Product.active))).all()
    return {"customer": [_forms(n, a) for n, a in customers],
            "supplier": [[n] for n in suppliers],
            "product": [_forms(n, a) for n, a in products]}


class CompanyParser:
    """nlu.parse knowing the company's names, read from the database at start and again every
    `every_s` seconds (a customer added today is recognised today, without a restart).
    Calls are synchronous (the dialogue runs parse in a thread); refresh() runs on the loop."""

    def __init__(self, parse, uow, every_s: float = 60.0):
        from nlu.names import Names

        self._parse, self._uow, self.every_s = parse, uow, every_s
        self.names = Names({})

    async def refresh(self) -> None:
        from nlu.names import Names

        async with self._uow() as uow:
            self.names = Names(await snapshot(uow.session))

    async def keep_fresh(self) -> None:
        import asyncio
        import logging

        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.refresh()
            except Exception:  # the database away for a moment: keep the names we have
                logging.getLogger(__name__).warning("could not refresh the company's names for the language layer", exc_info=True)

    def __call__(self, *args, **kwargs):
        kwargs.setdefault("names", self.names)
        return self._parse(*args, **kwargs)
