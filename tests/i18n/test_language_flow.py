"""/language changes what the bot speaks and the person's command menu."""
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.formatting import format_money, format_number, parse_money, parse_number
from domain.errors import DomainError
from domain.models import Role, User
from tests.dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
async def services(engine, database_url):
    services = make_services(engine, database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Ivan", role=Role.warehouse, telegram_id=555, language="en"))
        await uow.commit()
    return services


async def test_language_buttons_switch_language_and_menu(services):
    chat = Chat(dialogue_for(services), external_id="555")
    await chat.text("/language")
    labels = [b.label for b in chat.buttons()]
    assert labels == ["English", "Русский", "Български", "Română", "中文"]
    replies = await chat.send(kind="callback", callback="lang:bg")
    assert "Готово, език: Български." in replies[0].text
    menu = dict(replies[0].menu)
    assert "help" in menu and menu["help"] == "показване на този списък"
    async with services.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 555))).one()
        assert user.language == "bg"
    assert "Няма такава поръчка" in await chat.text("/status 999999") or "Няма поръчка" in chat.last[0].text


async def test_language_argument_and_bad_code(services):
    chat = Chat(dialogue_for(services), external_id="555")
    assert "好的，已切换为中文。" in await chat.text("/language zh-Hans")
    await chat.text("/language klingon")
    assert [b.label for b in chat.buttons()][0] == "English"
    async with services.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 555))).one()
        assert user.language == "zh"


@pytest.mark.parametrize("text,lang,expected", [
    ("1 234,5", "ru", Decimal("1234.5")), ("1.234,50 лв.", "bg", Decimal("1234.50")),
    ("1,234.5", "en", Decimal("1234.5")), ("2,5", "en", Decimal("2.5")), ("2.5", "ru", Decimal("2.5")),
    ("1.234", "ro", Decimal("1234")), ("12", "zh", Decimal("12")), ("1\u202f234,5", "ru", Decimal("1234.5")),
])
def test_parse_number(text, lang, expected):
    assert parse_number(text, lang) == expected


def test_parse_money_and_bad_input():
    assert parse_money("1.234,50 лв.", "bg", "EUR") == (Decimal("1234.50"), "BGN")
    assert parse_money("250", "en", "EUR") == (Decimal("250"), "EUR")
    with pytest.raises(DomainError):
        parse_number("lots", "en")


def test_format_round_trips():
    for lang in ("en", "ru", "bg", "ro", "zh"):
        assert parse_number(format_number(Decimal("1234.5"), lang), lang) == Decimal("1234.5")
        amount, cur = parse_money(format_money(Decimal("1234.5"), "BGN", lang), lang, "BGN")
        assert amount == Decimal("1234.50") and cur == "BGN"


async def test_stock_answer_in_the_persons_language_and_format(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add(User(name="Elena", role=Role.warehouse, telegram_id=777, language="ru"))
        await uow.commit()
    chat = Chat(dialogue_for(services), external_id="777")
    reply = await chat.text("/stock WID-001")
    assert "в наличии" in reply and "доступно" in reply
    assert "/help" in await chat.text("/nosuchcommand")  # unknown command answered (in Russian)
    assert "Не знаю команды /nosuchcommand" in chat.last[0].text


async def test_sales_texts_and_status_words_in_the_persons_language(services):
    """The sales texts translated in the second pass, and a status code shown as a word, not as 'picking'."""
    async with services.uow() as uow:
        uow.session.add(User(name="Olga", role=Role.sales, telegram_id=778, language="ru"))
        await uow.commit()
    chat = Chat(dialogue_for(services), external_id="778")
    assert "Открытых сделок нет" in await chat.text("/deals")
    assert "На сегодня дел нет" in await chat.text("/today")
    from domain.errors import Conflict
    from bot.i18n import translate
    err = Conflict("Order {number} is already {status}.", number="SO-7", status="picking")
    assert "picking" not in err.render(lambda s: translate("ru", s))
    assert err.render() == "Order SO-7 is already being picked."
