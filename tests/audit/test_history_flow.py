"""Who changed it? /history and the free-text question, for managers and admins only."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.formatting import format_datetime
from domain import audit
from domain.errors import PermissionDenied
from domain.models import AuditEntry, Deal


async def _deal_by_rep(chat, customer):
    rep = chat("rep")
    assert "how much" in await rep.text("/newdeal acme ltd")
    await rep.text("20k eur")
    await rep.press("deal:close:-")
    assert "New deal" in rep.last[0].text
    return rep


async def _deal(services) -> Deal:
    async with services.uow() as uow:
        return (await uow.session.exec(select(Deal))).one()


async def test_manager_sees_who_changed_a_deal_when_through_which_channel_and_what(chat, customer, services, people):
    rep = await _deal_by_rep(chat, customer)
    deal = await _deal(services)
    await rep.press(f"deal:mv:{deal.id}:qualified")
    boss = chat("boss")
    reply = await boss.text(f"/history deal {deal.id}")
    lines = reply.splitlines()
    assert lines[0] == f"Changes to deal {deal.id}, newest first:"
    assert "Maria Rep (telegram): changed (stage: new → qualified, probability: 10 → 30)" in lines[1]
    assert "Maria Rep (telegram): created (" in lines[2] and "amount: 20000" in lines[2] and "stage: new" in lines[2]
    # the time is the manager's: Shanghai, not Sofia or UTC
    async with services.uow() as uow:
        latest = (await uow.session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()))).first()
    assert format_datetime(latest.at, "en", ZoneInfo("Asia/Shanghai")) in lines[1]

    same = await boss.text(f"Who changed deal {deal.id}?")
    assert same == reply


async def test_order_history_by_number_in_russian_free_text(chat, customer, services, people):
    from decimal import Decimal

    from domain.models import Product, SalesOrder, SalesOrderLine

    async with services.uow(actor=audit.Actor.person(people["rep"], "telegram")) as uow:
        p = Product(sku="WID-001", name="Widget")
        uow.session.add(p)
        await uow.session.flush()
        o = SalesOrder(number="1042", customer_id=customer.id)
        uow.session.add(o)
        await uow.session.flush()
        uow.session.add(SalesOrderLine(order_id=o.id, line_no=1, product_id=p.id, quantity=Decimal(5)))
        await uow.commit()
    async with services.uow(actor=audit.Actor(channel="console", name="Elena Boss", user_id=people["boss"].id)) as uow:
        (await uow.session.exec(select(SalesOrderLine))).one().quantity = Decimal(8)
        await uow.commit()
    reply = await chat("ru").text("кто менял заказ 1042?")
    assert reply.splitlines()[0].startswith("История изменений (заказ 1042)")
    assert "Elena Boss (console): строка 1: изменено (количество: 5 → 8)" in reply
    assert "Maria Rep (telegram)" in reply
    assert "Widget" not in reply  # the product's own history is separate
    assert "товар: WID-001" in reply and "клиент: C0001" in reply  # names, not ids
    product = await chat("boss").text("/history product wid-001")
    assert "created (" in product and "Widget" in product


async def test_everyone_else_is_refused_in_the_chat_and_in_the_domain(chat, customer, services, people):
    await _deal_by_rep(chat, customer)
    deal = await _deal(services)
    for who in ("rep", "wh"):
        for text in (f"/history deal {deal.id}", f"who changed deal {deal.id}?"):
            reply = await chat(who).text(text)
            assert "can't do that" in reply and "Maria Rep" not in reply
    async with services.uow() as uow:
        try:
            await audit.history(uow.session, people["rep"], "deal", str(deal.id))
        except PermissionDenied:
            pass
        else:
            raise AssertionError("a sales rep read the audit log")


async def test_unknown_record_usage_and_a_deleted_record(chat, customer, services, people):
    boss = chat("boss")
    assert "I found no order 9999." == await boss.text("/history order 9999")
    assert "/history order 1042" in await boss.text("/history")
    assert "no history of" in await boss.text("/history spaceship 7")
    async with services.uow(actor=audit.Actor.person(people["admin"], "telegram")) as uow:
        c = await uow.session.get(type(customer), customer.id)
        await uow.session.delete(c)
        await uow.commit()
    reply = await boss.text("/history customer C0001")
    assert "Anna Admin (telegram): deleted (" in reply and "ACME Ltd." in reply
    assert reply.splitlines()[0] == "Changes to customer C0001, newest first:"


async def test_a_failed_message_leaves_no_entry(chat, customer, services):
    rep = chat("rep")
    async with services.uow() as uow:
        before = len((await uow.session.exec(select(AuditEntry))).all())
    assert "can't be negative" in await rep.text("/newdeal acme ltd") + await rep.text("-5")
    async with services.uow() as uow:
        assert len((await uow.session.exec(select(AuditEntry))).all()) == before


async def test_changes_nobody_in_particular_made_show_as_the_system(chat, customer):
    reply = await chat("boss").text("/history customer ACME")  # created by a fixture: no actor set
    assert "— the system: created (" in reply and "code: C0001" in reply
