"""The company's names for the language layer's gazetteers (nlu/names.py): customers,
suppliers and products with their aliases, read from the database once at start-up."""
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
