"""End to end through the real `qm run` and the local Bot API server: a buyer approves one supplier's
lines of the plan, e-mails the purchase order (a local SMTP server catches the mail and its PDF),
enters the supplier's confirmation; the warehouse receives part of it with a lot and counts a bin with a
lot difference; the manager approves per lot; the stock export still shows every lot with its expiry;
the next plan counts only sent and confirmed orders, not drafts."""
from __future__ import annotations

import csv
import io
import json
import threading
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from domain.models import (Location, PlanRun, PlanSuggestion, Product, PurchaseOrder, PurchaseOrderLine, StockQuant,
                           Supplier)

from .fakes.telegram_server import TelegramServer
from .qm_process import QmRun, TOKEN, free_port, in_database, qm, qm_env

MANAGER, WORKER = 7101, 7102


class _Inbox:
    def __init__(self):
        self.messages, self.lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


def _buttons(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


class Person:
    def __init__(self, telegram: TelegramServer, chat_id: int, name: str):
        self.tg, self.id, self.name = telegram, chat_id, name

    def say(self, text: str, expect: str, timeout: float = 60):
        self.tg.send_text(self.id, text, first_name=self.name, language_code="en")
        return self.wait(expect, timeout)

    def press(self, call, data: str, expect: str, timeout: float = 60):
        self.tg.press_button(self.id, call, data, first_name=self.name)
        return self.wait(expect, timeout)

    def wait(self, expect: str, timeout: float = 60):
        return self.tg.wait_for(lambda c: expect in (c.text or ""), chat_id=self.id, timeout=timeout)[0]


def test_plan_send_confirm_receive_count_export(telegram, smtp, demo_database_url, tmp_path):
    controller, inbox = smtp
    url = demo_database_url
    env = qm_env(url, telegram, QM_EMAIL__HOST="127.0.0.1", QM_EMAIL__PORT=str(controller.port), QM_EMAIL__SECURITY="none",
                 QM_EMAIL__FROM_ADDRESS="buyer@quartermaster.example", QM_WAREHOUSE__COUNT_VARIANCE_PERCENT="5")
    codes = {role: qm(["invite", "--role", role], env).stdout.splitlines()[0] for role in ("manager", "warehouse")}
    with QmRun(env, tmp_path / "qm.log"):
        boss, worker = Person(telegram, MANAGER, "Elena"), Person(telegram, WORKER, "Ivan")
        boss.say(f"/start {codes['manager']}", "Welcome")
        worker.say(f"/start {codes['warehouse']}", "Welcome")

        # Plan, then approve one supplier's lines: one with a lot-tracked product.
        plan = boss.say("/plan", "to reorder", timeout=120)

        async def lot_supplier(s):
            run_id = (await s.exec(select(PlanRun.id).order_by(PlanRun.id.desc()))).first()
            rows = (await s.exec(select(PlanSuggestion, Product).join(Product, Product.id == PlanSuggestion.product_id)
                                 .where(PlanSuggestion.run_id == run_id, PlanSuggestion.supplier_id.is_not(None)))).all()
            return run_id, {sg.supplier_id for sg, p in rows if p.lot_tracked}
        run_id, tracked = in_database(url, lot_supplier)
        async def line_suppliers(s):
            out = {}
            for b in _buttons(plan):
                if b.startswith("plan_line:"):
                    sg = await s.get(PlanSuggestion, int(b.split(":")[1]))
                    out[b] = (sg.supplier_id, (sg.product_id, sg.warehouse_id))
            return out
        lines = in_database(url, line_suppliers)
        offered = [int(b.rsplit(":", 1)[1]) for b in _buttons(plan) if b.startswith("plan_sup:")]
        # A supplier of lot-tracked goods with a button, and a line of another supplier to approve on its own.
        supplier_id, line_button, other_product = next(
            (sid, b, pid) for sid in offered if sid in tracked for b, (lsid, pid) in lines.items() if lsid != sid)
        drafted = boss.press(plan, f"plan_sup:{run_id}:{supplier_id}", "Draft purchase orders created")
        boss.press(plan, line_button, "Draft purchase orders created")

        number = drafted.text.split("created: ")[1].split(".")[0].split(",")[0].strip()
        show = boss.press(drafted, _buttons(drafted)[0], number)
        assert "A draft" in show.text

        # Send it: the supplier gets an e-mail with the PDF.
        send = next(b for b in _buttons(show) if b.startswith("po_send:"))
        sent = boss.press(show, send, "e-mailed to")
        rcpt, mail = inbox.messages[-1]
        async def supplier_email(s):
            return (await s.get(Supplier, supplier_id)).email
        assert rcpt == [in_database(url, supplier_email)] and number in mail["Subject"]
        [pdf] = [p for p in mail.iter_attachments() if p.get_filename() == f"{number}.pdf"]
        assert pdf.get_content()[:4] == b"%PDF"

        boss.press(sent, next(b for b in _buttons(sent) if b.startswith("po_confirm:")), "Which delivery date")
        boss.say("+6", "confirmed by the supplier")

        # Receive part of the first lot-tracked line, with a lot (and its expiry).
        async def po_line(s):
            po = (await s.exec(select(PurchaseOrder).where(PurchaseOrder.number == number))).one()
            rows = (await s.exec(select(PurchaseOrderLine, Product).join(Product, Product.id == PurchaseOrderLine.product_id)
                                 .where(PurchaseOrderLine.po_id == po.id).order_by(PurchaseOrderLine.line_no))).all()
            line, product = next((pl, p) for pl, p in rows if p.lot_tracked)
            return po.status, product.sku, line.quantity
        status, sku, ordered = in_database(url, po_line)
        assert status == "confirmed"
        worker.say(f"/receive {number}", "Receiving against")
        worker.say(sku, "tracked by lot")
        worker.say("E2E-LOT-1", "Expiry date")
        worker.say("2027-06-30", "How many")
        part = max(int(ordered) // 2, 1)
        worker.say(str(part), "noted")
        review = worker.say("done", "To book")
        assert "lot E2E-LOT-1" in review.text and "30 Jun 2027" in review.text and "Beyond the tolerance" in review.text
        worker.press(review, "recv_book:confirm", "booked")
        assert in_database(url, po_line)[0] == "partially_received"

        # Count a bin holding a lot of a lot-tracked product: the lot is asked, a difference waits for approval.
        async def lot_bin(s):
            q, loc, p = (await s.exec(select(StockQuant, Location, Product).join(Location, Location.id == StockQuant.location_id)
                                      .join(Product, Product.id == StockQuant.product_id)
                                      .where(Location.kind == "storage", StockQuant.lot != "", StockQuant.quantity >= 4,
                                             StockQuant.reserved == 0)
                                      .order_by(StockQuant.id))).first()
            return loc.code, p.sku, q.lot, q.quantity, q.expiry
        bin_code, count_sku, lot, before, expiry = in_database(url, lot_bin)
        worker.say(f"/count {bin_code}", "Counting")
        worker.say(count_sku, "how many")
        worker.say(str(int(before) - 3), "lot")
        worker.say(lot, "noted")
        asked = worker.say("done", "Finish the count")  # a blind counter sees what they counted, not the records
        assert count_sku in asked.text and f"{before.normalize():f} \u2192" not in asked.text
        finished = worker.press(asked, "count_done:ok", "Count of")
        assert "manager checks it" in finished.text and str(before.normalize()) not in finished.text
        approvals = boss.say("/approvals", f"Count of {bin_code}")
        assert f"{count_sku} lot {lot}" in approvals.text and f"{before.normalize():f} \u2192 {int(before) - 3}" in approvals.text
        boss.press(approvals, next(b for b in _buttons(approvals) if b.endswith(":1")), "approved")

        # The stock export keeps every lot with its expiry: the counted one and the received one.
        boss.tg.send_text(MANAGER, "/export stock csv", first_name="Elena")
        export = boss.tg.wait_for(lambda c: any(f.filename == "stock.csv" for f in c.files.values()), chat_id=MANAGER,
                                  method="sendDocument", timeout=60)[0]
        data = next(iter(export.files.values())).data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(data)))
        counted = [r for r in rows if r["location"] == bin_code and r["sku"] == count_sku]
        assert [(r["lot"], Decimal(r["quantity"]), r["expiry"]) for r in counted] == [
            (lot, before - 3, expiry.isoformat() if expiry else "")]
        received = [r for r in rows if r["sku"] == sku and r["lot"] == "E2E-LOT-1"]
        assert [(Decimal(r["quantity"]), r["expiry"]) for r in received] == [(part, "2027-06-30")]

        # The next plan: the confirmed order's rest is on order; the other supplier's draft is not.
        boss.say("/plan", "to reorder", timeout=120)

        async def next_plan(s):
            run = (await s.exec(select(PlanRun.id).order_by(PlanRun.id.desc()))).first()
            assert run != run_id
            rows = {(sg.product_id, sg.warehouse_id): sg
                    for sg in (await s.exec(select(PlanSuggestion).where(PlanSuggestion.run_id == run))).all()}
            open_qty = {}  # per product and warehouse: what is still to come on orders the supplier knows, and in drafts
            for pl, po in (await s.exec(select(PurchaseOrderLine, PurchaseOrder)
                                        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id))).all():
                kind = "draft" if po.status == "draft" else "on_order" if po.status in (
                    "sent", "confirmed", "partially_received") else None
                if kind:
                    key = (pl.product_id, po.warehouse_id, kind)
                    open_qty[key] = open_qty.get(key, 0) + max(pl.quantity - pl.received_quantity, 0)
            return rows, open_qty
        suggestions, open_qty = in_database(url, next_plan)
        assert in_database(url, po_line)[0] == "partially_received"
        # The line approved on its own is still a draft: suggested again, its draft not counted as on order.
        product_id, warehouse_id = other_product
        assert open_qty.get((product_id, warehouse_id, "draft"), 0) > 0
        assert suggestions[other_product].on_order == open_qty.get((product_id, warehouse_id, "on_order"), 0)
