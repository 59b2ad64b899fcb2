"""Managers' figures: funnel, per-rep, ABC/XYZ, client groups; and their chat views with PNG charts."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bot.settings import load_settings
from domain.crm import groups, reports
from domain.errors import InvalidInput, PermissionDenied
from domain.models import ClientGroupMember, Customer, Deal, DealStageChange, Interaction, SalesOrder, SalesOrderLine

from .conftest import NOW

PNG = b"\x89PNG\r\n\x1a\n"


async def _deal(s, customer, owner, path, amount, *, reason=None, created=NOW - timedelta(days=10)):
    d = Deal(customer_id=customer.id, owner_id=owner.id, title="d", amount=Decimal(amount), stage=path[-1], lost_reason=reason,
             created_at=created, closed_at=created + timedelta(days=5) if path[-1] in ("won", "lost") else None)
    s.add(d)
    await s.flush()
    prev = None
    for stage in path:
        s.add(DealStageChange(deal_id=d.id, from_stage=prev, to_stage=stage, changed_at=created))
        prev = stage
    return d


@pytest.fixture
async def pipeline(services, customers, people):
    async with services.uow() as uow:
        s, acme, rep, rep2 = uow.session, customers["C0001"], people["rep"], people["rep2"]
        await _deal(s, acme, rep, ["new"], 100)
        await _deal(s, acme, rep, ["new", "qualified"], 200)
        await _deal(s, acme, rep, ["new", "qualified", "proposal", "negotiation", "won"], 1000)
        await _deal(s, acme, rep2, ["new", "proposal", "won"], 500)  # skipped qualified: still counted as passed
        await _deal(s, acme, rep2, ["new", "qualified", "lost"], 300, reason="price too high")
        await _deal(s, acme, rep2, ["new", "lost"], 50, reason="Price too high")
        await _deal(s, acme, rep, ["new"], 999, created=NOW - timedelta(days=400))  # outside the period
        s.add(Interaction(customer_id=acme.id, user_id=rep.id, channel="call", occurred_at=NOW - timedelta(days=1)))
        await uow.commit()


async def test_funnel_counts_amounts_conversion_and_reasons(services, people, pipeline):
    async with services.uow() as uow:
        f = await reports.funnel(uow.session, people["boss"], date(2026, 11, 1), date(2026, 12, 1))
    assert f.reached == {"new": 6, "qualified": 4, "proposal": 2, "negotiation": 2, "won": 2}
    assert f.amount["won"] == Decimal(1500) and f.amount["new"] == Decimal(2150)
    assert f.conversion["new->qualified"] == pytest.approx(4 / 6) and f.conversion["negotiation->won"] == 1.0
    assert (f.won, f.lost, f.won_amount) == (2, 2, Decimal(1500))
    assert f.lost_reasons == [("price too high", 2)]


async def test_funnel_is_for_managers_and_needs_a_period(services, people):
    async with services.uow() as uow:
        with pytest.raises(PermissionDenied):
            await reports.funnel(uow.session, people["rep"], date(2026, 11, 1), date(2026, 12, 1))
        with pytest.raises(InvalidInput):
            await reports.funnel(uow.session, people["boss"], date(2026, 11, 1), date(2026, 11, 1))


async def test_rep_figures(services, people, pipeline, customers):
    async with services.uow() as uow:
        order = SalesOrder(number="9", customer_id=customers["C0001"].id, status="delivered", order_date=date(2026, 11, 5),
                           created_by_id=people["rep"].id)
        uow.session.add(order)
        await uow.session.flush()
        from domain.models import Product

        p = Product(sku="X-1", name="x")
        uow.session.add(p)
        await uow.session.flush()
        uow.session.add(SalesOrderLine(order_id=order.id, line_no=1, product_id=p.id, quantity=Decimal(3), price=Decimal("2.50")))
        await uow.commit()
    async with services.uow() as uow:
        rows = {r.user.name: r for r in await reports.rep_figures(uow.session, people["boss"], date(2026, 11, 1), date(2026, 12, 1))}
    assert (rows["Maria Rep"].interactions, rows["Maria Rep"].deals_won, rows["Maria Rep"].won_amount) == (1, 1, Decimal(1000))
    assert rows["Maria Rep"].order_revenue == Decimal("7.50")
    assert (rows["Ivan Rep"].deals_won, rows["Ivan Rep"].won_amount) == (1, Decimal(500))


async def _orders(services, customers, monthly: dict[str, list[float]]):
    """monthly revenue per customer code over the 12 months ending 2026-11."""
    from domain.models import Product

    async with services.uow() as uow:
        s = uow.session
        p = Product(sku="P-1", name="p")
        s.add(p)
        await s.flush()
        n = 0
        for code, values in monthly.items():
            for k, value in enumerate(values):
                if not value:
                    continue
                n += 1
                month = date(2025, 12, 1) + timedelta(days=31 * k)
                o = SalesOrder(number=f"A{n}", customer_id=customers[code].id, status="delivered", order_date=month.replace(day=10))
                s.add(o)
                await s.flush()
                s.add(SalesOrderLine(order_id=o.id, line_no=1, product_id=p.id, quantity=Decimal(1), price=Decimal(str(value))))
        await uow.commit()


async def test_abc_xyz_classes(services, customers):
    await _orders(services, customers, {
        "C0001": [700] * 12,  # steady, the biggest: A X
        "C0002": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1800],  # one big order: B Z (cumulative before it is 8400/10500 = 80%)
        "C0003": [25, 0, 25, 0, 25, 0, 25, 0, 25, 0, 25, 0],  # small, on and off: C Y
    })
    async with services.uow() as uow:
        classes = {c.name: c for c in await reports.abc_xyz(uow.session, date(2026, 11, 20))}
    assert (classes["ACME Ltd."].abc, classes["ACME Ltd."].xyz) == ("A", "X")
    assert (classes["Blue Ocean Ltd"].abc, classes["Blue Ocean Ltd"].xyz) == ("B", "Z")
    assert (classes["Orbit Office OOD"].abc, classes["Orbit Office OOD"].xyz) == ("C", "Y")
    assert (classes["Acme Trading"].abc, classes["Acme Trading"].xyz, classes["Acme Trading"].cv) == ("C", "Z", None)
    assert reports.grid_counts(classes.values())["CZ"] == 1
    # thresholds come from the config
    strict = load_settings(sales={"abc_xyz": {"x_max_cv": 0.05, "y_max_cv": 0.5}}).sales.abc_xyz.thresholds()
    async with services.uow() as uow:
        classes = {c.name: c for c in await reports.abc_xyz(uow.session, date(2026, 11, 20), strict)}
    assert classes["Orbit Office OOD"].xyz == "Z"
    with pytest.raises(ValueError, match="x_max_cv < y_max_cv"):
        load_settings(sales={"abc_xyz": {"x_max_cv": 2, "y_max_cv": 1}})


async def test_groups_by_rule_and_by_hand(services, customers, people):
    await _orders(services, customers, {"C0001": [700] * 12, "C0003": [25, 0] * 6})
    async with services.uow() as uow:
        s, boss = uow.session, people["boss"]
        sofia_a = await groups.create_group(s, boss, "Sofia A", rule=groups.parse_rule("abc=A city=sofia"))
        key = await groups.create_group(s, boss, "Key", rule=groups.parse_rule("tag=key"))
        hand = await groups.create_group(s, boss, "Spring sale")
        await groups.add_member(s, boss, hand, customers["C0002"].id)
        await groups.add_member(s, boss, hand, customers["C0004"].id)
        await uow.commit()
    async with services.uow() as uow:
        s = uow.session
        assert [c.code for c in await groups.members(s, sofia_a, today=date(2026, 11, 20))] == ["C0001"]
        assert [c.code for c in await groups.members(s, key)] == ["C0001"]
        assert [c.code for c in await groups.members(s, hand)] == ["C0004", "C0002"]  # by name: Acme Trading, Blue Ocean
        with pytest.raises(InvalidInput):
            groups.parse_rule("abc=Q")
        with pytest.raises(PermissionDenied):
            await groups.create_group(s, people["rep"], "Mine")
    # a merged-away customer leaves its groups; the survivor takes its place
    from domain.crm.customers import merge_customers

    async with services.uow() as uow:
        await merge_customers(uow.session, people["boss"], survivor_id=customers["C0001"].id, duplicate_id=customers["C0004"].id)
        await uow.commit()
    async with services.uow() as uow:
        assert [c.code for c in await groups.members(uow.session, hand)] == ["C0001", "C0002"]


async def test_chat_funnel_abc_and_groups(chat, services, pipeline):
    boss = chat("boss")
    await boss.text("/funnel")
    assert any(b.data == "rep:funnel:month" for b in boss.buttons())
    await boss.press("rep:funnel:month")
    [reply] = boss.last
    assert "6 deals" in reply.text and "price too high (2)" in reply.text
    assert reply.attachments[0].kind == "photo" and reply.attachments[0].data.startswith(PNG)
    [reply] = await boss.send("/abc")
    assert "AX" in reply.text and reply.attachments[0].data.startswith(PNG)
    assert "Maria Rep: 1 interactions" in await boss.text("/reps")
    assert "created (1 customer)" in await boss.text("/group new Key people tag=key")
    assert "added to Hand" in (await boss.text("/group new Hand"), await boss.text("/group add Hand | blue ocean"))[1]
    listing = await boss.text("/groups")
    assert "Key people — 1 · tag=key" in listing and "Hand — 1" in listing
    assert "can't do that" in await chat("rep").text("/funnel year")


async def test_sales_report_intent(chat, services, pipeline, nlu):
    from .conftest import Parsed

    nlu.next = Parsed("sales_report", {})
    [reply] = await chat("boss").send("how does the pipeline look this month?")
    assert "this month" in reply.text and reply.attachments[0].data.startswith(PNG)
