"""The running assistant's parser knows the company's names, and learns new ones without a restart."""
from domain.models import Customer
from bot.nlu_names import CompanyParser


def _fake_parse(text, names=None, **kw):
    return names


async def test_a_customer_added_after_start_is_known_after_a_refresh(uow_factory):
    async with uow_factory() as uow:
        uow.session.add(Customer(code="C9001", name="Vitosha Print"))
        await uow.commit()
    parser = CompanyParser(_fake_parse, uow_factory)
    await parser.refresh()
    known = parser("x").count
    assert known >= 1

    async with uow_factory() as uow:
        uow.session.add(Customer(code="C9002", name="Melnik Wines", aliases="Мелник"))
        await uow.commit()
    assert parser("x").count == known  # the snapshot is the one read
    await parser.refresh()
    assert parser("x").count == known + 1


async def test_the_real_parser_finds_a_database_customer(uow_factory):
    from bot.app import load_parser

    async with uow_factory() as uow:
        uow.session.add(Customer(code="C9003", name="Zlatograd Paper House"))
        await uow.commit()
    parser = CompanyParser(load_parser(), uow_factory)
    await parser.refresh()
    result = parser("log a call with Zlatograd Paper House, they want a quote", lang="en")
    assert result.entities.get("customer") == "Zlatograd Paper House"
