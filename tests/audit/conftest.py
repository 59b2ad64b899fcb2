"""An admin, a manager, a sales rep and a warehouse worker on Telegram, and one customer."""
import pytest

from domain.models import Customer, Role, User

from ..dialogue_helpers import Chat, dialogue_for, make_services


@pytest.fixture
def services(engine, database_url):
    return make_services(engine, database_url)


@pytest.fixture
async def people(services):
    async with services.uow() as uow:
        users = {
            "admin": User(name="Anna Admin", role=Role.admin, telegram_id=8001, timezone="Europe/Sofia"),
            "boss": User(name="Elena Boss", role=Role.manager, telegram_id=8002, timezone="Asia/Shanghai"),
            "rep": User(name="Maria Rep", role=Role.sales, telegram_id=8003, timezone="Europe/Sofia"),
            "wh": User(name="Georgi Floor", role=Role.warehouse, telegram_id=8004, timezone="Europe/Sofia"),
            "ru": User(name="Ольга Менеджер", role=Role.manager, telegram_id=8005, language="ru", timezone="Europe/Moscow"),
        }
        uow.session.add_all(users.values())
        await uow.commit()
    return users


@pytest.fixture
async def customer(services, people):
    async with services.uow() as uow:
        c = Customer(code="C0001", name="ACME Ltd.", city="Sofia", country="BG", owner_id=people["rep"].id)
        uow.session.add(c)
        await uow.commit()
    return c


@pytest.fixture
def dialogue(services):
    return dialogue_for(services)


@pytest.fixture
def chat(dialogue, people):
    def make(who: str) -> Chat:
        p = people[who]
        return Chat(dialogue, external_id=str(p.telegram_id), name=p.name, lang=p.language)

    return make
