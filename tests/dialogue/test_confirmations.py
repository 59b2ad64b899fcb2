"""Destructive steps are confirmed with what will change (issue #19): a count's finish is asked
first; someone who may approve counts sees every product whose stock would change, records now ->
counted; a blind counter sees what they counted and what nobody counted, never the records.
Approvals show the record quantity as it is now. Buttons of earlier steps do nothing; the cc:
button's changing actions need the right to change customers."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from domain.inventory.ledger import post_move, virtual_location
from domain.models import CountTask, Customer, Location, LocationKind, Product, StockQuant, Warehouse

from .conftest import BOSS, REP, WORKER


async def _bin(s, code: str) -> Location:
    """The bin of the first warehouse (where the people of these tests work)."""
    main = (await s.exec(select(Warehouse).order_by(Warehouse.id))).first()
    return (await s.exec(select(Location).where(Location.code == code, Location.warehouse_id == main.id))).one()


async def _bin_stock(services, code: str) -> dict[str, Decimal]:
    async with services.uow() as uow:
        loc = await _bin(uow.session, code)
        rows = (await uow.session.exec(select(StockQuant, Product).join(Product, Product.id == StockQuant.product_id)
                                       .where(StockQuant.location_id == loc.id, StockQuant.quantity != 0))).all()
        return {f"{p.sku}{' lot ' + q.lot if q.lot else ''}": q.quantity for q, p in rows}


async def test_an_approver_sees_every_change_before_finishing(services, chat):
    before = await _bin_stock(services, "A-01-02")
    assert len(before) >= 2
    boss = chat(BOSS)
    await boss.text("/count A-01-02")
    await boss.text("PAP-011")
    await boss.text("3")
    asked = await boss.text("done")
    assert "Finish the count of A-01-02?" in asked and "records now \u2192 counted" in asked
    assert "PAP-011 Premium A4 copy paper 80g: 0 \u2192 3" in asked
    for what, qty in before.items():  # every product the records hold there goes to 0: each listed with its quantity
        sku, _, lot = what.partition(" lot ")
        line = next(ln for ln in asked.splitlines() if ln.startswith(f"\u2022 {sku}") and (not lot or f"lot {lot}" in ln))
        assert f": {qty.normalize():f} \u2192 0" in line and "(not counted)" in line
    assert await _bin_stock(services, "A-01-02") == before  # asked, nothing booked
    assert "Count of A-01-02" in await boss.press("count_done:ok")


async def test_a_blind_counter_is_told_what_nobody_counted_but_no_quantity(services, chat):
    before = await _bin_stock(services, "A-01-01")
    worker = chat(WORKER)
    await worker.text("/count A-01-01")
    await worker.text("PAP-011")
    await worker.text("1")
    asked = await worker.text("done")
    assert "You counted:" in asked and "PAP-011 Premium A4 copy paper 80g: 1" in asked
    assert "recorded as 0 when you finish" in asked
    for what, qty in before.items():
        assert what.split(" lot ")[0] in asked
        assert f"{qty.normalize():f} \u2192" not in asked  # blind: no record quantity
    assert "\u2192" not in asked


async def test_typed_numbers_and_done_never_finish_a_count(services, chat):
    worker = chat(WORKER)
    await worker.text("/count A-01-01")
    for text in ("1", "done", "1", "2", "done", "done"):
        await worker.text(text)
    assert "earlier message" in await worker.press("count_done:")  # the first message's Finish: stale now
    async with services.uow() as uow:
        assert [t.status for t in (await uow.session.exec(select(CountTask))).all()] == ["counting"]
    assert "Keep counting" in "".join(b.label for b in worker.buttons())
    assert "Scan a product" in await worker.press("count_done:back")


async def test_approvals_show_the_record_quantity_now(services, chat):
    before = await _bin_stock(services, "A-01-02")
    sku = next(k for k in before if " lot " not in k)
    worker = chat(WORKER)
    await worker.text("/count A-01-02")
    await worker.text(sku)
    await worker.text("1")
    await worker.text("done")
    assert "manager checks it" in await worker.press("count_done:ok")
    async with services.uow() as uow:  # the bin's stock changes after the count (a delivery, say)
        s = uow.session
        loc = await _bin(s, "A-01-02")
        product = (await s.exec(select(Product).where(Product.sku == sku))).one()
        await post_move(s, product_id=product.id, from_location=await virtual_location(s, LocationKind.adjustment),
                        to_location=loc, quantity=Decimal(5), reason="opening")
        await uow.commit()
    approvals = await chat(BOSS).text("/approvals")
    now = before[sku] + 5
    assert f"\u2022 {sku}: {now.normalize():f} \u2192 1" in approvals  # the record now, not at count time


async def test_log_buttons_of_an_earlier_step_do_nothing(services, chat):
    rep = chat(REP)
    await rep.text("/log Acme")
    kind = next(b.data for b in rep.buttons() if b.data.startswith("log:kind:"))
    await rep.press(kind)
    assert "earlier message, so it did nothing" in await rep.press(kind)  # the step moved on: outcome now
    assert "How did it go?" in rep.last[-1].text


async def test_cc_changes_need_the_right_to_change_customers(services, chat, monkeypatch):
    from bot.dialogue.flows import build_router
    from domain import permissions
    from domain.models import Role

    assert build_router().callbacks["cc"].actions["merge"] == "edit_customers"
    # a role that may look at customers but not change them: the card opens, a merge is refused
    monkeypatch.setitem(permissions.CAPABILITIES, "view_customers", permissions.CAPABILITIES["view_customers"] | {Role.warehouse})
    async with services.uow() as uow:
        a, b = (await uow.session.exec(select(Customer).order_by(Customer.id).limit(2))).all()
    worker = chat(WORKER)
    assert a.name in await worker.press(f"cc:open:{a.id}")
    assert "can't do that" in await worker.press(f"cc:merge:{a.id}:{b.id}")
    async with services.uow() as uow:
        assert (await uow.session.get(Customer, a.id)).merged_into_id is None
