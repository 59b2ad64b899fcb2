"""Names and notes: hidden, bidi-control and control characters never reach the database or an
echo, and every field people fill in has a length limit with a clear message."""
import pytest
from sqlmodel import select

from domain.errors import InvalidInput
from domain.models import Customer, Product, Role, User
from domain.text import clean

from ..dialogue_helpers import Chat, dialogue_for, make_services

RLO, ZWSP, ZWJ, LRI, PDI = "\u202e", "\u200b", "\u200d", "\u2066", "\u2069"


@pytest.mark.parametrize("raw,expected", [
    (f"{RLO}Acme{ZWSP} Ltd", "Acme Ltd"), (f"A{ZWJ}B{LRI}C{PDI}", "ABC"), ("Bolt\x07\x1b[31m", "Bolt[31m"),
    ("two\nlines\tand tab", "two lines and tab"), ("\ufeffBOM", "BOM"), ("Ромашка 上海", "Ромашка 上海"),
])
def test_clean_one_line(raw, expected):
    assert clean(raw) == expected


def test_clean_multi_line_keeps_breaks():
    assert clean(f"first{RLO}\r\nsecond\u2028third", multi_line=True) == "first\nsecond\nthird"


async def test_the_flush_cleans_and_limits_every_listed_field(session):
    session.add(Product(sku=f"B{ZWSP}1", name=f"{RLO}Bolt"))
    await session.commit()
    p = (await session.exec(select(Product))).one()
    assert (p.sku, p.name) == ("B1", "Bolt")
    p.name = "N" * 9_000_000  # the probe's 9 MB name
    with pytest.raises(InvalidInput, match="The name is too long \\(9000000 characters; at most 200\\)"):
        await session.flush()
    await session.rollback()
    assert (await session.exec(select(Product))).one().name == "Bolt"


@pytest.fixture
async def services(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Rep", role=Role.sales, telegram_id=321))
        await uow.commit()
    return services


async def test_a_customer_named_in_the_chat_loses_hidden_characters(services):
    rep = Chat(dialogue_for(services), external_id="321")
    reply = await rep.text(f"/newcustomer {RLO}Evil{ZWSP} Corp{LRI}")
    assert "Evil Corp" in reply and RLO not in reply and ZWSP not in reply
    await rep.press("cc:skip")
    reply = await rep.press("cc:skip")
    assert "Evil Corp" in reply and "created" in reply
    async with services.uow() as uow:
        c = (await uow.session.exec(select(Customer).where(Customer.name.like("Evil%")))).one()
    assert c.name == "Evil Corp"


async def test_long_names_and_notes_are_refused_with_a_clear_message(services):
    rep = Chat(dialogue_for(services), external_id="321")
    reply = await rep.text("/newcustomer " + "N" * 300)
    await rep.press("cc:skip")
    reply = await rep.press("cc:skip")
    assert "too long (200 characters at most)" in reply
    async with services.uow() as uow:
        assert (await uow.session.exec(select(Customer).where(Customer.name.like("NNNN%")))).first() is None


def test_inbound_text_keeps_what_scanners_type():
    from domain.scanning import parse_scanned_text
    from domain.text import strip_hidden

    typed = "\x1d0109506000134352" + "10LOT42\x1d17271231"
    assert strip_hidden(f"{RLO}{typed}\x07") == typed
    assert parse_scanned_text(strip_hidden(typed)).gs1["10"] == "LOT42"
    assert strip_hidden("[)>\x1e06\x1d01\x04") == "[)>\x1e06\x1d01\x04"
