"""A stock question by name skips find_products' exact SKU and barcode look-ups where resolve_code,
which found nothing just before, already covered them; the answers stay the same."""
from sqlmodel import select

from domain.catalog.lookup import resolve_code
from domain.models import Barcode, Product
from domain.search import code_lookups_cover, find_products
from storage.engine import session_factory


def test_which_texts_the_code_lookups_cover():
    assert code_lookups_cover("blue widget") and code_lookups_cover(" WID-001 ") and code_lookups_cover("4006381333931")
    assert not code_lookups_cover("синий виджет")  # not ASCII: case rules differ between Python and the database


async def test_the_same_answers_with_and_without_the_exact_look_ups(demo_engine):
    async with session_factory(demo_engine)() as s:
        products = (await s.exec(select(Product).order_by(Product.id))).all()
        codes = (await s.exec(select(Barcode.code))).all()
        queries = [p.name for p in products[:8]] + [p.sku.lower() for p in products[:3]] + codes[:3] + [
            "a4 papr", "envelops", "widgets", "nothing like this", "синий виджет", products[0].name.upper()]
        for q in queries:
            plain = [(m.product.id, m.score) for m in await find_products(s, q)]
            if await resolve_code(s, q) is None:
                assert [(m.product.id, m.score) for m in await find_products(s, q, code_not_found=True)] == plain, q
