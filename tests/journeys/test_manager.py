"""Journeys of a manager, through the real `qm run` and the Telegram test server: plans and
approvals, reports with charts, counts to approve, a mailing, an order's history, exports. Each
reaches its goal (in the database, the answer or the file sent) within its budget."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from domain.crm.reports import funnel
from domain.mailings.mailings import cause_of
from domain.models import (Contact, CountTask, Customer, Invoice, Location, Mailing, Outbox, PlanRun, PlanSuggestion,
                           PurchaseOrder, PurchaseOrderLine, SalesOrder, Supplier, User)

from .data import ean as _ean, on_hand, stocked_bin

FIRST_CHAT_ID = 93_000
TZ = ZoneInfo("Europe/Sofia")


async def _counted_short(app, bin_code: str, sku: str, record: int, short: int) -> Decimal:
    """A bin holds `record` of a product; a warehouse worker counts `short` fewer (the journey's setting up)."""
    await stocked_bin(app, bin_code, {sku: record})
    worker = await app.join("warehouse", f"Counter {bin_code}")
    await worker.says(f"/count {bin_code}")
    await worker.scans(await _ean(app, sku))
    await worker.says(str(record - short))
    asked = await worker.says("done")
    assert "Finish the count" in asked.text  # a finish is confirmed first, naming what was counted
    finished = await worker.taps("Finish count")
    assert "manager" in finished.text
    worker.reset()  # the count is the journey's setting up
    return Decimal(record)


def _number(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return found.group(1)


async def _approve_a_supplier(app, boss, plan, which: int):
    """Taps the plan's "Approve SUPPLIER: n line(s)" button number `which`; checks the draft orders it made."""
    labels = [label for label in boss.labels(plan.with_buttons()) if re.match(r"Approve \w+:", label)]
    supplier = _number(r"Approve (\w+):", labels[which])
    approved = await boss.taps(f"Approve {supplier}:", on=plan.with_buttons())
    numbers = re.findall(r"PO-[\d-]*\d", approved.text)
    assert numbers, approved
    run = await app.one(select(PlanRun).order_by(PlanRun.id.desc()))
    drafts = await app.all(select(PurchaseOrder, Supplier).join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
                           .where(PurchaseOrder.number.in_(numbers)))
    assert {(po.status, sup.code) for po, sup in drafts} == {("draft", supplier)} and len(drafts) == len(numbers)
    ordered = await app.all(select(PurchaseOrderLine.product_id, PurchaseOrder.warehouse_id)
                            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
                            .where(PurchaseOrder.number.in_(numbers)))
    suggested = await app.all(select(PlanSuggestion.product_id, PlanSuggestion.warehouse_id)
                              .where(PlanSuggestion.run_id == run.id, PlanSuggestion.supplier_id == drafts[0][0].supplier_id))
    assert ordered and set(ordered) <= set(suggested)  # the plan's lines of that supplier, nothing else
    return supplier


async def test_plan_and_approve_one_supplier_in_one_message_and_one_tap(app):
    boss = await app.join("manager", "Elena")

    plan = await boss.says("/plan")
    assert "to reorder" in plan.text
    [sheet] = plan.documents
    assert sheet.filename.endswith(".xlsx") and sheet.data[:2] == b"PK"
    await _approve_a_supplier(app, boss, plan, 0)
    boss.spent(messages=1, taps=1)


async def test_an_old_approve_button_orders_nothing_twice(app):
    boss = await app.join("manager", "Teodora")
    plan = await boss.says("/plan")
    supplier = await _approve_a_supplier(app, boss, plan, -1)  # another supplier than the journey above
    drafts = await app.one(select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.status == "draft"))
    lines = await app.one(select(func.count()).select_from(PurchaseOrderLine))

    again = await boss.taps(f"Approve {supplier}:", on=plan.with_buttons())  # the same button, pressed again

    assert await app.one(select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.status == "draft")) == drafts
    assert await app.one(select(func.count()).select_from(PurchaseOrderLine)) == lines
    assert "already approved" in again.text or "earlier message" in again.text
    boss.spent(messages=1, taps=2)


async def test_the_sales_funnel_with_its_chart_in_one_message(app):
    boss = await app.join("manager", "Daria")

    answer = await boss.says("show me the sales funnel for this quarter")

    [chart] = answer.photos
    assert chart.data[:8] == b"\x89PNG\r\n\x1a\n"
    today = datetime.now(TZ).date()
    start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)

    async def expected(s):
        user = await s.get(User, boss.user_id)
        return (await funnel(s, user, start, today + timedelta(days=1))).reached["new"]
    deals = await app.db(expected)
    assert "quarter" in answer.text and re.search(rf"\b{deals} deals?\b", answer.text), answer
    boss.spent(messages=1)


async def test_stock_exceptions_in_one_message(app):
    boss = await app.join("manager", "Mira")
    today = datetime.now(TZ).date()

    answer = await boss.says("/report stock_digest")

    lows = re.findall(r"low: (\S+) .* at (\S+): (\d+) \(min (\d+)\)", answer.text)
    late = re.findall(r"order (\d+) \(.*\) promised by today", answer.text)
    assert lows or late, answer
    for sku, bin_code, quantity, minimum in lows:  # each exception is true of the records
        assert await on_hand(app, sku, bin_code) == Decimal(quantity) < Decimal(minimum)
    for number in late:
        order = await app.one(select(SalesOrder).where(SalesOrder.number == number))
        assert order.promised_date <= today and order.status not in ("shipped", "delivered", "cancelled")
    boss.spent(messages=1)


async def test_approve_a_count_seeing_the_record_as_it_is_now(app):
    boss = await app.join("manager", "Siyana")
    record = await _counted_short(app, "J-01-01", "WRI-037", 27, 3)

    approvals = await boss.says("/approvals")
    card = approvals.message("Count of J-01-01")
    assert f"WRI-037: {record.normalize():f} \u2192 {int(record) - 3}" in card.text
    approved = await boss.taps("Approve", on=card)

    assert await on_hand(app, "WRI-037", "J-01-01") == record - 3
    task = await app.one(select(CountTask).join(Location, Location.id == CountTask.location_id)
                         .where(Location.code == "J-01-01").order_by(CountTask.id.desc()))
    assert (task.status, task.approved_by_id) == ("done", boss.user_id)
    assert "approved" in approved.text
    boss.spent(messages=1, taps=1)


async def test_a_count_whose_bin_changed_since_is_not_booked_on_approval(app):
    """The approval shows the record as it is now; approving a count the bin has moved on from books nothing."""
    boss = await app.join("manager", "Vesela")
    record = await _counted_short(app, "J-01-02", "WRI-040", 50, 5)
    await stocked_bin(app, "J-01-03", {})
    mover = await app.join("warehouse", "Mover")
    await mover.says("move 2 WRI-040 from J-01-02 to J-01-03")  # after the count, before the approval
    mover.reset()

    approvals = await boss.says("/approvals")
    card = approvals.message("Count of J-01-02")
    assert f"WRI-040: {int(record) - 2} \u2192 {int(record) - 5}" in card.text  # the record now, not at the count
    answer = await boss.taps("Approve", on=card)

    assert await on_hand(app, "WRI-040", "J-01-02") == record - 2  # nothing booked over the move
    assert "count it again" in answer.text
    boss.spent(messages=1, taps=1)


async def test_a_mailing_to_all_customers_reaches_only_those_who_agreed(app):
    boss = await app.join("manager", "Ralitsa")

    preview = await boss.says("text all customers: we are closed on Monday")
    count = int(_number(r"(\d+) recipient", preview.text))
    await boss.taps("Send now")

    mailing = await app.one(select(Mailing).order_by(Mailing.id.desc()))
    assert (mailing.status, mailing.recipients) == ("queued", count) and mailing.created_by_id == boss.user_id
    phones = await app.all(select(Outbox.recipient).where(Outbox.cause == cause_of(mailing.id)))
    consenting = set(await app.all(select(Customer.phone).where(Customer.sms_consent.is_(True)))) | set(
        await app.all(select(Contact.phone).where(Contact.sms_consent.is_(True))))
    refused = set(await app.all(select(Customer.phone).where(Customer.sms_consent.is_(False)))) | set(
        await app.all(select(Contact.phone).where(Contact.sms_consent.is_(False))))
    assert len(phones) == count > 0 and set(phones) <= consenting and not set(phones) & refused
    assert "without SMS consent" in preview.text
    boss.spent(messages=1, taps=1)


async def test_an_orders_history_reads_who_did_what(app):
    boss = await app.join("manager", "Yoana")
    draft = await app.one(select(SalesOrder).where(SalesOrder.status == "draft").order_by(SalesOrder.id))
    await boss.says(f"/confirm {draft.number}")
    boss.reset()

    history = await boss.says(f"who changed order {draft.number}?")

    text = history.text
    assert draft.number in text and "Yoana" in text and "telegram" in text.lower()
    assert "draft \u2192 confirmed" in text or "draft \u2192 reserved" in text or "\u2192" in text
    assert not re.search(r"\b\w+_id\b", text), "ids instead of names"
    boss.spent(messages=1)


async def test_export_customers_as_a_spreadsheet_in_one_message(app):
    boss = await app.join("manager", "Kalina")

    answer = await boss.says("/export customers csv")

    [sheet] = answer.documents
    rows = list(csv.DictReader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    names = set(await app.all(select(Customer.name)))
    assert len(rows) == len(names) and {r["name"] for r in rows} == names
    boss.spent(messages=1)


async def test_the_supplier_scorecard_with_its_chart_in_one_message(app):
    boss = await app.join("manager", "Gergana")

    answer = await boss.says("/suppliers")

    [chart] = answer.photos
    assert chart.data[:4] == b"\x89PNG"
    for code in ("NORD", "BALK", "SINO"):
        assert code in answer.text
    boss.spent(messages=1)


async def test_overdue_invoices_and_a_payment_in_two_messages(app):
    boss = await app.join("manager", "Milena")
    today = datetime.now(TZ).date()
    late = await app.one(select(Invoice).where(Invoice.kind != "credit_note", Invoice.status == "open",
                                               Invoice.due_on < today).order_by(Invoice.due_on))

    listed = await boss.says("/overdue")
    assert late.number in listed.text
    paid = await boss.says(f"/pay {late.number} {late.amount - late.paid:.2f}")

    invoice = await app.one(select(Invoice).where(Invoice.id == late.id))
    assert (invoice.paid, invoice.status) == (late.amount, "paid")
    assert late.number in paid.text
    boss.spent(messages=2)
