"""Sales orders in the chat: create (guided or from one sentence), confirm with
reservation and invoice, status card, payments, overdue invoices."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from domain.errors import N_, NotFound
from domain.models import Customer, Invoice, OrderStatus, Product, SalesOrder, ShipmentLine
from domain.orders import invoices as inv
from domain.orders import lifecycle as orders
from domain.orders.backorders import owed_lines
from domain.quantities import parse_quantity
from domain.search import clear_winner, find_products
from domain.status_labels import INVOICE, ORDER, status_label

from ...formatting import format_amount, format_date, format_number, parse_number
from ..messages import Attachment, Button
from ..router import Route, Router
from ..step_words import is_done
from ..turn import Turn, button_id
from .crm_common import choose_customer, customer_step, on_customer
from .dates import parse_day

FLOW = "order"
_QTY_FIRST = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:x\s*)?(.+)$", re.IGNORECASE)
_QTY_LAST = re.compile(r"^(.+?)\s*[x×]?\s*(\d+(?:[.,]\d+)?)\s*$", re.IGNORECASE)


def _qty(text: str) -> Decimal:
    return parse_quantity(text)  # typed, or a button's payload (which can be forged)


def split_line(text: str) -> tuple[Decimal, str] | None:
    """'10 A4 paper' / 'A4 paper x 10' -> (10, 'A4 paper')."""
    m = _QTY_FIRST.match(text)
    if m:
        return _qty(m.group(1)), m.group(2).strip()
    m = _QTY_LAST.match(text)
    if m:
        return _qty(m.group(2)), m.group(1).strip()
    return None


# --- starting -----------------------------------------------------------------------------
async def start_order(turn: Turn) -> None:
    turn.goto(FLOW, "customer", lines=[])
    if turn.args:
        await choose_customer(turn, turn.args, flow=FLOW)
    else:
        turn.say(turn.t("New order. Which customer? Type a name or code."), [[Button(turn.t("Cancel"), "cancel:")]])


async def order_intent(turn: Turn) -> None:
    """'order 10 boxes of A4 paper for Acme, deliver Monday' in one go."""
    ents = turn.parsed.entities if turn.parsed else {}
    turn.goto(FLOW, "customer", lines=[])
    if ents.get("date"):
        turn.goto(FLOW, "customer", delivery=ents["date"])
    if ents.get("product") and ents.get("quantity"):
        turn.goto(FLOW, "customer", pending_line={"text": ents["product"], "qty": str(ents["quantity"])})
    if ents.get("customer"):
        await choose_customer(turn, ents["customer"], flow=FLOW)
    else:
        turn.say(turn.t("New order. Which customer? Type a name or code."))


@on_customer(FLOW, offer_create=False)
async def _customer_chosen(turn: Turn, customer: Customer) -> None:
    turn.goto(FLOW, "lines", customer_id=customer.id, customer_name=customer.name)
    pending = turn.state.get("pending_line")
    if pending:
        turn.goto(FLOW, "lines", pending_line=None)
        await _add_line_text(turn, f"{pending['qty']} {pending['text']}")
        return
    turn.say(turn.t("New order \u2014 {customer}\nAdd lines like \u201c10 A4 paper\u201d; send \u201cdone\u201d when finished.", customer=customer.name))


# --- lines ----------------------------------------------------------------------------------
def _unresolved_text(turn: Turn, u: dict) -> str:
    return f"{format_number(Decimal(u['qty']), turn.lang)} \u00d7 \u201c{u['text']}\u201d"


async def on_line_text(turn: Turn) -> None:
    text = (turn.inbound.text or "").strip()
    unresolved = turn.state.get("unresolved")
    if is_done(text):
        # A line still waiting for "which product?" is asked again once, never dropped without a word.
        if unresolved and not unresolved.get("warned") and await _ask_product(
                turn, Decimal(unresolved["qty"]), unresolved["text"],
                turn.t("{line} is not in the order yet.", line=_unresolved_text(turn, unresolved)) + " "
                + turn.t("Which product do you mean? Or send \u201cdone\u201d again to leave it out.")):
            turn.goto(FLOW, turn.conv.step, unresolved={**unresolved, "warned": True})
            return
        if unresolved:
            turn.goto(FLOW, turn.conv.step, unresolved=None)
            turn.say(turn.t("Left out: {line}. To add it, type it again with the product's code.",
                            line=_unresolved_text(turn, unresolved)))
        await _ask_delivery(turn)
        return
    if unresolved and (split_line(text) is None or " " not in text):
        # the answer to "which product?", typed (a name, or a code like PAP-011): the quantity carries on
        winner = clear_winner(await find_products(turn.session, text)) if " " not in text else None
        if winner is not None:
            await _add_line(turn, winner.product, Decimal(unresolved["qty"]))
        else:
            await _add_line_text(turn, f"{unresolved['qty']} {text}")
        return
    if unresolved:  # a new line instead of the answer: the waiting one is named, not dropped silently
        turn.goto(FLOW, turn.conv.step, unresolved=None)
        turn.say(turn.t("Left out: {line}. To add it, type it again with the product's code.", line=_unresolved_text(turn, unresolved)))
    await _add_line_text(turn, text)


async def _ask_product(turn: Turn, qty: Decimal, product_text: str, question: str) -> bool:
    """Buttons for the products `product_text` may mean; False when there are none."""
    matches = await find_products(turn.session, product_text)
    if not matches:
        return False
    turn.say(question, [[Button(f"{m.product.name} ({m.product.sku})", f"order_prod:{m.product.id}:{qty}")] for m in matches[:5]])
    return True


async def _add_line_text(turn: Turn, text: str) -> None:
    parsed = split_line(text)
    if parsed is None:
        turn.say(turn.t("Write a quantity and a product, e.g. \u201c10 A4 paper\u201d, or \u201cdone\u201d."))
        return
    qty, product_text = parsed
    matches = await find_products(turn.session, product_text)
    winner = clear_winner(matches)
    if winner is None and matches:
        turn.goto(FLOW, turn.conv.step, unresolved={"text": product_text, "qty": str(qty)})
        await _ask_product(turn, qty, product_text, turn.t("Which product do you mean?"))
        return
    if winner is None:
        turn.say(turn.t("I don't know a product \u201c{text}\u201d. Try its name, code or barcode.", text=product_text))
        return
    await _add_line(turn, winner.product, qty)


async def on_product_button(turn: Turn) -> None:
    pid, _, qty = turn.args.partition(":")
    product = await turn.session.get(Product, button_id(pid))
    if product is None:
        raise NotFound(N_("There is no such product."))
    await _add_line(turn, product, _qty(qty))


async def _add_line(turn: Turn, product: Product, qty: Decimal) -> None:
    orders.check_sellable(product, qty)
    lines = turn.state.get("lines", []) + [{"product_id": product.id, "qty": str(qty), "name": product.name, "unit": product.unit}]
    turn.goto(FLOW, "lines", lines=lines, unresolved=None)
    summary = "\n".join(f"\u2022 {turn.qty(Decimal(ln['qty']), ln['unit'])} {ln['name']}" for ln in lines)
    turn.say(turn.t("Added. The order so far:") + "\n" + summary + "\n" + turn.t("Add more, or send \u201cdone\u201d."),
             [[Button(turn.t("Done"), "order_done:")]])


# --- delivery date and confirmation ---------------------------------------------------------------
async def on_done_button(turn: Turn) -> None:
    await _ask_delivery(turn)


async def _ask_delivery(turn: Turn) -> None:
    if not turn.state.get("lines"):
        turn.say(turn.t("The order has no lines yet. Add one like \u201c10 A4 paper\u201d."))
        return
    if turn.state.get("delivery"):
        await _summary(turn)
        return
    today = turn.now().date()
    turn.goto(FLOW, "delivery")
    turn.say(turn.t("Delivery date? Type it, or choose:"),
             [[Button(turn.t("Tomorrow"), f"order_day:{today + timedelta(days=1)}"),
               Button(turn.t("In 3 days"), f"order_day:{today + timedelta(days=3)}"),
               Button(turn.t("No date"), "order_day:")]])


async def on_delivery_text(turn: Turn) -> None:
    day = parse_day(turn, turn.inbound.text or "")
    if day is None:
        turn.say(turn.t("I couldn't read a date in \u201c{text}\u201d. Try \u201c2026-12-01\u201d or \u201ctomorrow\u201d.", text=turn.inbound.text))
        return
    turn.goto(FLOW, "delivery", delivery=day.isoformat())
    await _summary(turn)


async def on_delivery_button(turn: Turn) -> None:
    turn.goto(FLOW, "delivery", delivery=turn.args or "none")
    await _summary(turn)


async def _summary(turn: Turn) -> None:
    s = turn.state
    delivery = s.get("delivery")
    lines = "\n".join(f"\u2022 {turn.qty(Decimal(ln['qty']), ln['unit'])} {ln['name']}" for ln in s["lines"])
    when = format_date(date.fromisoformat(delivery), turn.lang) if delivery and delivery != "none" else turn.t("no date")
    turn.goto(FLOW, "confirm")
    turn.say(turn.t("Order for {customer}, delivery {day}:", customer=s["customer_name"], day=when) + "\n" + lines,
             [[Button(turn.t("Confirm"), "order_ok:confirm"), Button(turn.t("Save as draft"), "order_ok:draft")],
              [Button(turn.t("Cancel"), "cancel:")]])


async def on_confirm_button(turn: Turn) -> None:  # offered at the confirm step only (flow_buttons)
    s = turn.state
    delivery = s.get("delivery")
    order = await orders.create_order(
        turn.session, turn.user, customer_id=s["customer_id"],
        lines=[orders.LineInput(ln["product_id"], Decimal(ln["qty"])) for ln in s["lines"]],
        promised_date=date.fromisoformat(delivery) if delivery and delivery != "none" else None, today=turn.now().date())
    turn.end()
    turn.remember_undo("order", order_id=order.id)
    if turn.args != "confirm":
        turn.say(turn.t("Order {number} saved as a draft. /confirm {number} when ready.", number=order.number), edit=True)
        return
    await _confirm(turn, order)


def order_settings(turn: Turn) -> dict:
    """payment_terms_days and invoice_policy from the orders section of the settings."""
    conf = turn.services.settings.orders
    return {"payment_terms_days": conf.payment_terms_days, "invoice_policy": conf.invoice_policy}


async def _confirm(turn: Turn, order: SalesOrder) -> None:
    result = await orders.confirm_order(turn.session, turn.user, order.id, today=turn.now().date(), **order_settings(turn))
    lines = [turn.t("Order {number} confirmed.", number=order.number)]
    if result.reserved_complete:
        lines.append(turn.t("All goods are reserved."))
    for b in result.backorders:
        lines.append(turn.t("Backorder: {qty} \u00d7 {sku}, expected {day}.", qty=format_number(b.quantity, turn.lang), sku=b.sku,
                            day=format_date(b.expected, turn.lang) if b.expected else turn.t("date unknown")))
    if result.split_into:
        lines.append(turn.t("Part ships from another warehouse as order {numbers}.", numbers=", ".join(result.split_into)))
    if result.invoice_number is None:  # billed by delivery: each shipment gets its invoice
        turn.say("\n".join(lines))
        return
    turn.say("\n".join(lines), attachments=[await invoice_attachment(turn, result.invoice_number)])


async def invoice_attachment(turn: Turn, number: str) -> Attachment:
    pdf = await _invoice_pdf(turn, number)
    return Attachment("document", f"{number}.pdf", pdf, caption=turn.t("Invoice {number}", number=number))


async def _invoice_pdf(turn: Turn, number: str) -> bytes:
    from ...documents.invoice import InvoiceDoc, InvoiceLine, render_invoice  # fpdf is slow to import: only when needed

    invoice = (await turn.session.exec(select(Invoice).where(Invoice.number == number))).one()
    order = await turn.session.get(SalesOrder, invoice.order_id)
    customer = await turn.session.get(Customer, invoice.customer_id)
    rows = await orders.order_lines(turn.session, order.id)
    if invoice.shipment_id is not None:  # billed by delivery: what this shipment carried
        carried = {sl.order_line_id: sl.quantity for sl in (await turn.session.exec(
            select(ShipmentLine).where(ShipmentLine.shipment_id == invoice.shipment_id))).all()}
        rows = [(ln.model_copy(update={"quantity": carried[ln.id]}), p) for ln, p in rows if ln.id in carried]
    doc = InvoiceDoc(number=invoice.number, order_number=order.number, issued_on=invoice.issued_on, due_on=invoice.due_on,
                     company=turn.services.settings.company.name, customer=customer.name, customer_city=customer.city,
                     currency=invoice.currency, total=invoice.amount,
                     lines=[InvoiceLine(p.name, ln.quantity, p.unit, ln.price or Decimal(0), ln.discount_pct, orders.line_total(ln)) for ln, p in rows])
    return render_invoice(doc, turn.lang)


# --- commands on existing orders ---------------------------------------------------------------------
async def confirm_cmd(turn: Turn) -> None:
    if not turn.args:
        turn.say(turn.t("Which order? Write /confirm 1042."))
        return
    await _confirm(turn, await orders.get_order(turn.session, turn.args))


async def cancel_order_cmd(turn: Turn) -> None:
    if not turn.args:
        turn.say(turn.t("Which order? Write /cancel_order 1042."))
        return
    order = await orders.get_order(turn.session, turn.args)
    done = await orders.cancel_order(turn.session, turn.user, order.id, today=turn.now().date())
    if done.order.status == "cancelled":
        text = turn.t("Order {number} cancelled; its reservations are released.", number=order.number)
    else:
        text = turn.t("The rest of order {number} is cancelled; what shipped stays billed.", number=order.number)
    turn.say("\n".join([text, *served_text(turn, done.served)]))


def served_text(turn: Turn, served: list[str]) -> list[str]:
    """The line that says which waiting orders got stock reserved (and are on the pick list now), if any."""
    return [turn.t("Reserved for waiting orders, now on the pick list: {orders}.", orders=", ".join(served))] if served else []


async def order_status(turn: Turn) -> None:
    ref = turn.args or ((turn.parsed.entities.get("order_ref") if turn.parsed else None) or "")
    if not ref:
        turn.say(turn.t("Which order? Write /status 1042."))
        return
    order = await orders.get_order(turn.session, str(ref))
    customer = await turn.session.get(Customer, order.customer_id)
    rows = await orders.order_lines(turn.session, order.id)
    lang = turn.lang
    owed = await owed_lines(turn.session, order, today=turn.now().date())
    partly = bool(owed) and any(ln.shipped_qty > 0 for ln, _ in rows)
    status = turn.t(status_label(order.status, ORDER))
    if partly:
        part_label = status_label(OrderStatus.partially_shipped, ORDER)
        if order.status != OrderStatus.partially_shipped:  # the rest is reserved, picked or packed again
            status = ", ".join((turn.t(part_label), status))
        else:
            status = turn.t(part_label)
    lines = [turn.t("Order {number} \u2014 {customer}", number=order.number, customer=customer.name),
             turn.t("Status: {status}", status=status)]
    if order.promised_date:
        lines.append(turn.t("Promised: {day}", day=format_date(order.promised_date, lang)))
    for ln, p in rows:
        text = turn.t("\u2022 {name}: {qty} ordered, {reserved} reserved, {picked} picked, {shipped} shipped",
                      name=p.name, qty=format_number(ln.quantity, lang), reserved=format_number(ln.reserved_qty, lang),
                      picked=format_number(ln.picked_qty, lang), shipped=format_number(ln.shipped_qty, lang))
        if ln.cancelled_qty:
            text += turn.t(", {qty} cancelled", qty=format_number(ln.cancelled_qty, lang))
        if ln.returned_qty:
            text += turn.t(", {qty} returned", qty=format_number(ln.returned_qty, lang))
        lines.append(text)
    for o in owed:
        lines.append(turn.t("Still owed: {qty} \u00d7 {sku}, expected {day}.", qty=format_number(o.quantity, lang), sku=o.sku,
                            day=format_date(o.expected, lang) if o.expected else turn.t("date unknown")) if o.waiting > 0 else
                     turn.t("Still owed: {qty} \u00d7 {sku}, reserved and on the pick list.", qty=format_number(o.quantity, lang), sku=o.sku))
    for invoice in (await turn.session.exec(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id))).all():
        if invoice.kind == "credit_note":
            lines.append(turn.t("Credit note {number}: {amount} {currency}", number=invoice.number,
                                amount=format_amount(invoice.amount, lang), currency=invoice.currency))
            continue
        lines.append(turn.t("Invoice {number}: {paid} of {amount} {currency} paid ({status})", number=invoice.number,
                            paid=format_amount(invoice.paid, lang), amount=format_amount(invoice.amount, lang),
                            currency=invoice.currency, status=turn.t(status_label(invoice.status, INVOICE))))
    turn.say("\n".join(lines))


async def pay_cmd(turn: Turn) -> None:
    parts = turn.args.split()
    if len(parts) != 2:
        turn.say(turn.t("Write /pay INVOICE AMOUNT, e.g. /pay INV-000012 250."))
        return
    invoice = await inv.record_payment(turn.session, turn.user, parts[0], parse_number(parts[1], turn.lang), paid_on=turn.now().date())
    turn.say(turn.t("Payment recorded. Invoice {number}: {paid} of {amount} {currency} paid.", number=invoice.number,
                    paid=format_amount(invoice.paid, turn.lang), amount=format_amount(invoice.amount, turn.lang),
                    currency=invoice.currency))


async def return_cmd(turn: Turn) -> None:
    """/return ORDER SKU QTY: shipped goods came back; they wait on the dock for a put-away, the customer is credited."""
    from domain.inventory.common import resolve_product

    parts = turn.args.split()
    if len(parts) != 3:
        turn.say(turn.t("Write /return ORDER SKU QUANTITY, e.g. /return 1042 WID-001 4."))
        return
    order = await orders.get_order(turn.session, parts[0])
    product = (await resolve_product(turn.session, parts[1])).product
    note = await orders.return_goods(turn.session, turn.user, order.id, product.id, parse_number(parts[2], turn.lang),
                                     today=turn.now().date())
    turn.say(turn.t("Return booked for order {number}: {qty} \u00d7 {sku} wait on the dock for put-away (/next). "
                    "Credit note {credit}: {amount} {currency}.", number=order.number, qty=parts[2], sku=product.sku,
                    credit=note.number, amount=format_amount(note.amount, turn.lang), currency=note.currency))


async def overdue_cmd(turn: Turn) -> None:
    rows = await inv.overdue_invoices_seen_by(turn.session, turn.user, today=turn.now().date())
    if not rows:
        turn.say(turn.t("No overdue invoices."))
        return
    turn.say("\n".join([turn.t("Overdue invoices:")] + [
        turn.tn("\u2022 {number} {customer}: {amount} {currency}, {n} day late",
                "\u2022 {number} {customer}: {amount} {currency}, {n} days late", r.days_late, number=r.number,
                customer=r.customer, amount=format_amount(r.open_amount, turn.lang), currency=r.currency) for r in rows[:30]]))


async def undo_order(turn: Turn) -> None:
    order = await turn.session.get(SalesOrder, turn.conv.last_action["order_id"])
    if order is None:
        raise NotFound(N_("There is no such order."))
    await orders.cancel_order(turn.session, turn.user, order.id)
    turn.say(turn.t("Undone: order {number} cancelled.", number=order.number))


def register(router: Router) -> None:
    status = Route(order_status, "view_orders")
    router.declare(
        capability="manage_orders",
        commands={"order": (start_order, N_("create a sales order")), "confirm": confirm_cmd, "cancel_order": cancel_order_cmd,
                  "status": (status, N_("status of an order: /status 1042")),
                  "pay": (pay_cmd, N_("record a payment: /pay INV-000012 250")),
                  "overdue": (overdue_cmd, N_("overdue invoices")),
                  "return": (return_cmd, N_("goods returned by a customer: /return 1042 WID-001 4"))},
        intents={"create_order": order_intent, "order_status": status},
        steps={FLOW: {"customer": customer_step(FLOW), "lines": on_line_text, "delivery": on_delivery_text,
                      "confirm": on_line_text}},
        callbacks={"order_prod": on_product_button, "order_done": on_done_button, "order_day": on_delivery_button,
                   "order_ok": on_confirm_button},
        undos={"order": undo_order},
    )
