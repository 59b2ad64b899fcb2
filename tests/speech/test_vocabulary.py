from __future__ import annotations

from bot.speech.vocabulary import speech_vocabulary
from domain.models import Customer, Product, Supplier, User


async def test_names_come_from_the_database(session):
    session.add_all([
        Customer(code="C1", name="ACME Ltd."), Customer(code="C2", name="Globex Corporation"),
        Supplier(code="NORD", name="Nordic Supply"),
        Product(sku="WID-001", name="Blue widget", aliases="blue widgets, bw"),
        Product(sku="OLD-001", name="Retired gadget", active=False),
        User(name="Anna Smith", role="sales"),
    ])
    await session.commit()
    names = await speech_vocabulary(session)
    assert set(names) == {"ACME Ltd.", "Globex Corporation", "Nordic Supply", "Blue widget", "blue widgets", "bw", "Anna Smith"}
    assert names[:2] == ["ACME Ltd.", "Globex Corporation"] or names[:2] == ["Globex Corporation", "ACME Ltd."]


async def test_limit_is_kept(session):
    session.add_all([Customer(code=f"C{i}", name=f"Customer {i}") for i in range(20)])
    await session.commit()
    assert len(await speech_vocabulary(session, limit=5)) == 5
