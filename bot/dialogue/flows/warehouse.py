"""Warehouse work in the chat: the bot leads every step.

/pick  scan the bin, scan the product, confirm the quantity — bin by bin in walking order
/next  the next put-away or pick-face refill: take the goods, scan the destination bin
/receive [PO]  scan what arrived with quantities, see over/under against the PO, book
/count BIN  blind count: scan each product, say how many, finish
/move  from bin -> product -> quantity -> to bin
/stock  what we have of a product, or in a bin
/pack, /ship  consolidate and ship an order (delivery note PDF)
/inspect  managers accept or reject goods waiting in quarantine
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import InvalidInput, N_, Np_, NotFound
from domain.inventory import counting, moves, picking, receiving, shipping, stock, tasks, transfers
from domain.inventory.common import find_location, resolve_product
from domain.inventory.pick_queue import pick_queue
from domain.models import PurchaseOrder, SalesOrder, Warehouse
from domain.permissions import can
from domain.orders.lifecycle import get_order
from domain.search import clear_winner, find_products
from domain.quantities import parse_quantity
from domain.status_labels import COUNT, PO, status_label

from ...formatting import format_date, format_number
from ...i18n import normalise_language
from ..messages import Attachment, Button
from ..router import Route, Router
from ..turn import Turn, button_id
from .scans import CHOICES, lot_of, on_scan_choice, one_scan, scans_of
from ..step_words import is_done
from .orders import served_text


def _qty_text(text: str) -> Decimal:
    """A typed quantity, or a button's (pick_qty:...); forged payloads are refused the same way."""
    try:
        return parse_quantity(text)
    except InvalidInput as exc:
        if exc.template != N_("{value} is not a quantity."):
            raise
        raise InvalidInput(N_("{value} is not a quantity. Type a number, e.g. 12."), value=text.strip()[:40]) from None


def _fmt(q: Decimal | None) -> str:
    return "" if q is None else f"{q.normalize():f}"


async def _warehouse(turn: Turn) -> Warehouse:
    wid = turn.user.home_warehouse_id
    wh = await turn.session.get(Warehouse, wid) if wid else None
    wh = wh or (await turn.session.exec(select(Warehouse).order_by(Warehouse.id))).first()
    if wh is None:
        raise NotFound(N_("No warehouse is set up yet."))
    return wh


async def _waiting_here(turn: Turn, waiting: Callable[[AsyncSession, int], Awaitable[list]], nothing: str) -> list:
    """What `waiting` finds in the person's warehouse; says `nothing` (a template) when it finds none."""
    found = await waiting(turn.session, (await _warehouse(turn)).id)
    if not found:
        turn.say(turn.t(nothing))
    return found


def _served(turn: Turn, served: list[str]) -> str:
    return "\n".join(served_text(turn, served))


def _say_note(turn: Turn, note, extra: str = "", buttons=None) -> None:
    text = turn.render(note) if note else ""
    turn.say("\n".join(p for p in (text, extra) if p), buttons)


# ---------------------------------------------------------------- picking
def _pick_prompt(turn: Turn, step) -> tuple[str, list]:
    kind = str(step.expect)
    if kind == "done":
        return turn.t("Order {number} is picked. Send /pack {number} when it is on the packing table.", number=step.order_number), []
    lot = turn.t(" lot {lot}", lot=step.lot) if step.lot else ""
    expiry = turn.t(", best before {day}", day=format_date(step.expiry, turn.lang)) if step.expiry else ""
    head = turn.tn("Order {number}, {n} bin to go.", "Order {number}, {n} bins to go.", step.tasks_left, number=step.order_number)
    short = [[Button(turn.t("Bin is empty / short"), "pick_short:")]]
    if kind == "scan_bin":
        return head + "\n" + turn.t("Go to bin {bin} and scan its label.", bin=step.bin_code), short
    if kind == "scan_product":
        return head + "\n" + turn.t("At {bin}: scan {name} ({sku}){lot}{expiry}.", bin=step.bin_code, name=step.product_name,
                                    sku=step.sku, lot=lot, expiry=expiry), short
    qty = _fmt(step.quantity)
    return (head + "\n" + turn.t("How many {unit} of {sku} did you take? {qty} needed.", unit=turn.unit(step.unit), sku=step.sku,
                                  qty=turn.value(step.quantity)),
            [[Button(turn.value(step.quantity), f"pick_qty:{qty}")], *short])


def _show_pick(turn: Turn, step) -> None:
    text, buttons = _pick_prompt(turn, step)
    if str(step.expect) == "done":
        turn.end()
    else:
        turn.goto("pick", "work", pick_list_id=step.pick_list_id)
    happened = turn.render(step.happened) if step.happened else ""
    if step.refill_task_id:
        happened += ("\n" if happened else "") + turn.t("The pick face ran low: a refill task was created (/next).")
    turn.say("\n".join(p for p in (happened, text) if p), buttons)


async def pick_cmd(turn: Turn) -> None:
    if turn.args:
        order = await get_order(turn.session, turn.args)
        _show_pick(turn, await picking.start_pick(turn.session, order, turn.user))
        return
    resumed = await picking.open_pick_for(turn.session, turn.user)
    if resumed is not None:
        turn.say(turn.t("You have a pick in progress; carrying on."))
        _show_pick(turn, resumed)
        return
    wh = await _warehouse(turn)
    queue = await pick_queue(turn.session, wh.id)
    if not queue.pickable and not queue.waiting:
        turn.say(turn.t("No orders are waiting to be picked in {warehouse}.", warehouse=wh.code))
        return
    pickable = queue.pickable
    waiting = [turn.t("\u2022 {number}: nothing in free stock yet (short: {short})", number=w.order.number,
                      short=", ".join(f"{sku} {turn.value(qty)}" for sku, qty in w.short)) for w in queue.waiting]
    text = turn.t("Which order do you pick? The most urgent are first.") if pickable else turn.t("No order can be picked yet.")
    if waiting:
        text += "\n" + turn.t("Waiting for stock:") + "\n" + "\n".join(waiting)
    turn.say(text, [[Button(turn.t("Order {number}", number=o.number) + (f" \u2014 {format_date(o.promised_date, turn.lang)}" if o.promised_date else ""),
                            f"pick_order:{o.id}")] for o in pickable[:6]])


async def pick_intent(turn: Turn) -> None:
    ref = (turn.parsed.entities.get("order_ref") if turn.parsed else None) or ""
    turn.args = str(ref)
    await pick_cmd(turn)


async def on_pick_order(turn: Turn) -> None:
    order = await get_order(turn.session, button_id(turn.args))
    _show_pick(turn, await picking.start_pick(turn.session, order, turn.user))


async def on_pick_input(turn: Turn) -> None:
    pid = turn.state["pick_list_id"]
    step = await picking.expected_pick_step(turn.session, pid)
    kind = str(step.expect)
    text = (turn.inbound.text or "").strip()
    if kind == "enter_quantity":
        if turn.inbound.kind != "text":
            raise InvalidInput(N_("Type how many you took, e.g. {qty}."), qty=step.quantity)
        step = await picking.confirm_pick_quantity(turn.session, pid, turn.user, _qty_text(text))
    elif kind in ("scan_bin", "scan_product"):
        scan = await one_scan(turn)
        if scan is None:
            return
        scanned = picking.scan_pick_bin if kind == "scan_bin" else picking.scan_pick_product
        step = await scanned(turn.session, pid, turn.user, scan.code)
    _show_pick(turn, step)


async def pick_expectations(turn: Turn) -> list[str]:
    """What a voice note during a pick names: the bin and the product asked for."""
    pid = turn.state.get("pick_list_id")
    if pid is None:
        return []
    step = await picking.current_pick_step(turn.session, pid)
    return [x for x in (step.bin_code, step.product_name, step.sku) if x]


async def on_pick_qty(turn: Turn) -> None:  # the router lets it through only as the pick's latest button
    _show_pick(turn, await picking.confirm_pick_quantity(turn.session, turn.state["pick_list_id"], turn.user, _qty_text(turn.args)))


async def on_pick_short(turn: Turn) -> None:
    _show_pick(turn, await picking.report_pick_shortage(turn.session, turn.state["pick_list_id"], turn.user))


# ---------------------------------------------------------------- pack and ship
async def pack_cmd(turn: Turn) -> None:
    if not turn.args:
        turn.say(turn.t("Which order? Write /pack 1042."))
        return
    order = await get_order(turn.session, turn.args)
    result = await shipping.pack_order(turn.session, order, turn.user)
    lines = [turn.t("Order {number} packed at {bin}:", number=result.order_number, bin=result.packing_bin)]
    for ln in result.lines:
        short = turn.t(" ({short} short)", short=turn.value(ln.short)) if ln.short else ""
        lines.append(f"\u2022 {ln.sku} {ln.name}: {turn.qty(ln.picked, ln.unit)}{short}")
    turn.say("\n".join(lines), [[Button(turn.t("Ship now"), f"ship:{order.id}")]])


async def _ship(turn: Turn, order: SalesOrder) -> None:
    from .orders import invoice_attachment, order_settings

    result = await shipping.ship_order(turn.session, order, turn.user, today=turn.now().date(), **order_settings(turn))
    from ...documents.delivery_note import render_delivery_note  # fpdf is slow to import: only when needed

    data = await shipping.delivery_note_data(turn.session, order, result.shipment_number)
    pdf = render_delivery_note(data, turn.services.settings.company, normalise_language(data.customer_language, turn.lang))
    text = [turn.t("Order {number} shipped.", number=result.order_number) if not result.owed else
            turn.t("Order {number} shipped in part ({shipment}).", number=result.order_number, shipment=result.shipment_number)]
    for o in result.owed:
        text.append(turn.t("Still owed: {qty} \u00d7 {sku}, expected {day}.", qty=format_number(o.quantity, turn.lang), sku=o.sku,
                           day=format_date(o.expected, turn.lang) if o.expected else turn.t("date unknown")) if o.waiting > 0 else
                    turn.t("Still owed: {qty} \u00d7 {sku}, reserved and on the pick list.", qty=format_number(o.quantity, turn.lang),
                           sku=o.sku))
    attachments = [Attachment("document", f"delivery-note-{result.shipment_number.replace('/', '-')}.pdf", pdf,
                              caption=turn.t("Delivery note for order {number}", number=order.number))]
    if result.invoice_number:
        attachments.append(await invoice_attachment(turn, result.invoice_number))
    turn.say("\n".join(text), attachments=attachments)


async def ship_cmd(turn: Turn) -> None:
    if not turn.args:
        turn.say(turn.t("Which order? Write /ship 1042."))
        return
    await _ship(turn, await get_order(turn.session, turn.args))


async def on_ship(turn: Turn) -> None:
    await _ship(turn, await get_order(turn.session, button_id(turn.args)))


# ---------------------------------------------------------------- put-away and refills
def _show_task(turn: Turn, offer) -> None:
    lot = turn.t(" lot {lot}", lot=offer.lot) if offer.lot else ""
    where = turn.t("to bin {bin}", bin=offer.to_bin) if offer.to_bin else turn.t("to any free bin")
    kind = turn.t("Refill") if offer.kind == "replenish" else turn.t("Put away")
    turn.goto("task", "scan_bin", task_id=offer.task_id)
    turn.say(turn.t("{kind}: take {qty} of {sku} {name}{lot} from {src} {where}, then scan the bin.",
                    kind=kind, qty=turn.qty(offer.quantity, offer.unit), sku=offer.sku, name=offer.product_name, lot=lot,
                    src=offer.from_bin, where=where))


async def next_task_cmd(turn: Turn) -> None:
    await tasks.refill_pick_faces(turn.session, (await _warehouse(turn)).id)
    offer = await tasks.next_task_for(turn.session, turn.user)
    if offer is None:
        turn.say(turn.t("No put-away or refill tasks are waiting. /pick to pick an order."))
        return
    _show_task(turn, offer)


async def on_task_bin(turn: Turn) -> None:
    scan = await one_scan(turn)
    if scan is None:
        return
    result = await tasks.confirm_task(turn.session, turn.state["task_id"], turn.user, scan.code)
    turn.end()
    extra = "" if result.done else turn.t("{qty} still to put away: /next.", qty=turn.value(result.remaining))
    extra = "\n".join(p for p in (extra, _served(turn, result.served)) if p)
    _say_note(turn, result.happened, extra, [[Button(turn.t("Next task"), "wh_next:")]])


async def on_next_button(turn: Turn) -> None:
    if turn.args:  # our button carries nothing: anything else is forged, and must not create refill tasks
        raise InvalidInput(N_("That button is no longer valid."))
    await next_task_cmd(turn)


# ---------------------------------------------------------------- receiving
async def receive_cmd(turn: Turn) -> None:
    po_number = turn.args.strip().upper()
    if po_number:
        po = (await turn.session.exec(select(PurchaseOrder).where(PurchaseOrder.number == po_number))).first()
        if po is None:
            raise NotFound(N_("There is no purchase order {number}."), number=po_number)
    turn.goto("receive", "lines", po=po_number or None, lines=[])
    what = turn.t("against {po}", po=po_number) if po_number else turn.t("without a purchase order")
    turn.say(turn.t("Receiving {what}. Scan (or photograph) each product, then type the quantity. Send \u201cdone\u201d to review.",
                    what=what), [[Button(turn.t("Cancel"), "cancel:")]])


async def receive_intent(turn: Turn) -> None:
    turn.args = ""
    await receive_cmd(turn)


async def on_receive_input(turn: Turn) -> None:
    text = (turn.inbound.text or "").strip()
    state = turn.state
    if turn.inbound.kind == "text" and is_done(text):
        await _receive_preview(turn)
        return
    pending = state.get("pending")
    if pending and turn.inbound.kind == "text" and re.fullmatch(r"-?\d+(?:[.,]\d+)?", text):
        qty = _qty_text(text)
        if qty <= 0:
            raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=qty)
        lines = state.get("lines", []) + [{**pending, "quantity": str(qty)}]
        turn.goto("receive", "lines", lines=lines, pending=None)
        turn.say(turn.tn("{qty} \u00d7 {name} noted ({n} line). Scan the next product, or send \u201cdone\u201d.",
                         "{qty} \u00d7 {name} noted ({n} lines). Scan the next product, or send \u201cdone\u201d.",
                         len(lines), qty=turn.value(qty), name=pending["name"]), [[Button(turn.t("Done"), "recv_done:")]])
        return
    scan = await one_scan(turn)
    if scan is None:
        return
    resolved = await resolve_product(turn.session, scan.code)
    p = resolved.product
    if pending and pending.get("sku") != p.sku:  # replaced before its quantity came: said, not dropped silently
        turn.say(turn.t("{name} ({sku}) got no quantity, so it is not received; scan it again to add it.",
                        name=pending["name"], sku=pending["sku"]))
    pending = {"code": scan.code, "name": p.name, "sku": p.sku, "lot": scan.lot,
               "expiry": scan.expiry.isoformat() if scan.expiry else None,
               "need_expiry": bool(p.expiry_tracked), "pack": _fmt(resolved.pack_qty) if resolved.pack_qty != 1 else ""}
    await _receive_ask(turn, pending, lot_tracked=p.lot_tracked)


async def _receive_ask(turn: Turn, pending: dict, *, lot_tracked: bool = False) -> None:
    """Asks what the line still lacks: the lot (lot-tracked), then the expiry (expiry-tracked), then the quantity."""
    if lot_tracked and not pending.get("lot"):
        turn.goto("receive", "lot", pending=pending)
        turn.say(turn.t("{name} ({sku}) is tracked by lot: type the lot number printed on it.", name=pending["name"],
                        sku=pending["sku"]), [[Button(turn.t("Cancel"), "cancel:")]])
        return
    if pending.get("need_expiry") and not pending.get("expiry"):
        turn.goto("receive", "expiry", pending=pending)
        turn.say(turn.t("Expiry date of {sku} lot {lot}? E.g. 2027-03-31 or 31.03.2027.", sku=pending["sku"],
                        lot=pending.get("lot") or "-"), [[Button(turn.t("Cancel"), "cancel:")]])
        return
    turn.goto("receive", "lines", pending=pending)
    pack = turn.t(" (a pack of {n})", n=pending["pack"]) if pending.get("pack") else ""
    lot = turn.t(", lot {lot}", lot=pending["lot"]) if pending.get("lot") else ""
    exp = turn.t(", best before {day}", day=pending["expiry"]) if pending.get("expiry") else ""
    turn.say(turn.t("{name} ({sku}){pack}{lot}. How many?", name=pending["name"], sku=pending["sku"], pack=pack, lot=lot + exp))


async def on_receive_lot(turn: Turn) -> None:
    """The lot asked for is taken as a lot (a GS1 code scanned instead gives its lot and expiry)."""
    pending = dict(turn.state.get("pending") or {})
    if turn.inbound.kind == "text" and is_done(turn.inbound.text):
        await _receive_preview(turn)  # "done" is no lot: the review says what was left out
        return
    pending["lot"], expiry = await lot_of(turn)
    if expiry and not pending.get("expiry"):
        pending["expiry"] = expiry.isoformat()
    await _receive_ask(turn, pending)


def _expiry_step(finish: Callable[[Turn], Awaitable[None]], go_on: Callable[[Turn, dict], Awaitable[None]]):
    """The answer to a receipt's or a count's "expiry date?": the line goes on with it; "done" is no date
    but finishes (what then waits is said there)."""
    async def on_expiry(turn: Turn) -> None:
        from domain.purchasing.orders import parse_day

        pending = dict(turn.state.get("pending") or {})
        if turn.inbound.kind == "text" and is_done(turn.inbound.text):
            await finish(turn)
            return
        pending["expiry"] = parse_day(turn.inbound.text or "", turn.now().date()).isoformat()
        await go_on(turn, pending)
    return on_expiry


async def _receive_inputs(turn: Turn):
    from datetime import date as _date

    return [receiving.ReceiptInput(code=ln["code"], quantity=Decimal(ln["quantity"]), lot=ln.get("lot") or "",
                                   expiry=_date.fromisoformat(ln["expiry"]) if ln.get("expiry") else None)
            for ln in turn.state.get("lines", [])]


async def _po(turn: Turn):
    number = turn.state.get("po")
    return (await turn.session.exec(select(PurchaseOrder).where(PurchaseOrder.number == number))).first() if number else None


def _tolerance(turn: Turn) -> receiving.ReceiptTolerance:
    cfg = turn.services.settings.purchasing
    return receiving.ReceiptTolerance(Decimal(str(cfg.over_tolerance_percent)), Decimal(str(cfg.under_tolerance_percent)))


async def _receive_preview(turn: Turn) -> None:
    lines = await _receive_inputs(turn)
    pending = turn.state.get("pending")
    left_out = turn.t("{name} ({sku}) is not in it: it got no quantity yet. Type how many, or scan it again, to add it.",
                      name=pending["name"], sku=pending["sku"]) if pending else ""
    if not lines:
        turn.say("\n".join(p for p in (left_out, turn.t("Nothing scanned yet. Scan a product first.")) if p))
        return
    preview = await receiving.preview_receipt(turn.session, lines, po=await _po(turn), warehouse=await _warehouse(turn),
                                              tolerance=_tolerance(turn))
    out = [turn.t("To book:")]
    for ln in preview.lines:
        lot = turn.t(" lot {lot}", lot=ln.lot) if ln.lot else ""
        exp = turn.t(", best before {day}", day=format_date(ln.expiry, turn.lang)) if ln.expiry else ""
        out.append(f"\u2022 {turn.qty(ln.quantity, ln.unit)} {ln.sku} {ln.name}{lot}{exp} \u2192 {ln.destination}")
        out += [f"   {turn.render(n)}" for n in ln.notes]
    for pl in preview.po_lines:
        diff = pl.received_after - pl.ordered
        if diff:
            out.append(turn.t("{sku}: {received} of {ordered} ordered ({diff})", sku=pl.sku, received=turn.value(pl.received_after),
                              ordered=turn.value(pl.ordered), diff=("+" if diff > 0 else "\u2212") + turn.value(abs(diff))))
    if preview.not_on_po:
        out.append(turn.t("Not on the purchase order: {skus}", skus=", ".join(preview.not_on_po)))
    turn.goto("receive", "review")
    if left_out:
        out.append(left_out)
    if not preview.needs_confirmation:
        turn.say("\n".join(out), [[Button(turn.t("Book it"), "recv_book:"), Button(turn.t("Cancel"), "cancel:")]])
        return
    if preview.against_draft:
        out.append(turn.t("Warning: {number} is a draft, the supplier was never sent it.", number=preview.po_number))
    if preview.over_beyond_tolerance or preview.under_beyond_tolerance:
        out.append(turn.t("Beyond the tolerance: {diff}.", diff=preview.differences()))
    turn.say("\n".join(out), [[Button(turn.t("Confirm and book with these differences"), "recv_book:confirm")],
                                [Button(turn.t("Cancel"), "cancel:")]])


async def on_receive_done(turn: Turn) -> None:
    await _receive_preview(turn)


async def on_receive_book(turn: Turn) -> None:  # offered at the review step only (flow_buttons)
    wh = await _warehouse(turn)
    booked = await receiving.book_receipt(turn.session, await _receive_inputs(turn), turn.user, po=await _po(turn),
                                          warehouse=wh, confirm=turn.args == "confirm", tolerance=_tolerance(turn))
    turn.end()
    out = [turn.t("Receipt {number} booked.", number=booked.receipt_number)]
    if booked.po_status:
        out.append(turn.t("Purchase order is now {status}.", status=turn.t(status_label(booked.po_status, PO))))
    if booked.quarantined:
        out.append(turn.tn("{n} line waits in quarantine for inspection.", "{n} lines wait in quarantine for inspection.", len(booked.quarantined)))
    buttons = [[Button(turn.t("Put away now"), "wh_next:")]] if booked.putaway_task_ids else []
    turn.say("\n".join(out), buttons)


# ---------------------------------------------------------------- counting
async def count_cmd(turn: Turn) -> None:
    if not turn.args:
        turn.goto("count", "bin")
        turn.say(turn.t("Which bin do you count? Scan its label."))
        return
    await _start_count(turn, turn.args)


async def count_intent(turn: Turn) -> None:
    loc = (turn.parsed.entities.get("location") if turn.parsed else None) or ""
    turn.args = loc
    await count_cmd(turn)


async def on_count_bin(turn: Turn) -> None:
    scan = await one_scan(turn)
    if scan is not None:
        await _start_count(turn, scan.code)


async def _start_count(turn: Turn, bin_code: str) -> None:
    step = await counting.start_count(turn.session, turn.user, warehouse=await _warehouse(turn), bin_code=bin_code)
    turn.goto("count", "lines", count_task_id=step.count_task_id, pending=None)
    _say_note(turn, step.happened, turn.t("Scan a product, then type how many you see. Send \u201cdone\u201d when the bin is counted."),
              [[Button(turn.t("Finish count"), "count_done:")]])


NO_LOT_WORDS = {"none", "no lot", "no", "-", "нет", "без", "без партии", "няма", "fără", "fara", "无", "没有"}


async def on_count_input(turn: Turn) -> None:
    text = (turn.inbound.text or "").strip()
    if turn.inbound.kind == "text" and is_done(text):
        await _ask_finish(turn)  # finishing settles the bin's stock: only the confirmation's button does it
        return
    if turn.conv.step == "finish":  # anything but "done" at the confirmation: counting goes on
        turn.goto("count", "lines")
    pending = turn.state.get("pending")
    if pending and turn.inbound.kind == "text" and re.fullmatch(r"-?\d+(?:[.,]\d+)?", text):
        await _record(turn, {**pending, "qty": str(_qty_text(text))})
        return
    scan = await one_scan(turn)
    if scan is None:
        return
    resolved = await resolve_product(turn.session, scan.code)
    turn.goto("count", "lines", pending={"code": scan.code, "lot": scan.lot, "sku": resolved.product.sku,
                                         "expiry": scan.expiry.isoformat() if scan.expiry else None})
    question = turn.t("{name} ({sku}): how many do you see?", name=resolved.product.name, sku=resolved.product.sku)
    turn.say("\n".join(p for p in (_left_out(turn, pending, resolved.product.sku), question) if p))


def _left_out(turn: Turn, pending: dict | None, now_sku: str | None = None) -> str:
    """A product scanned without its quantity, replaced by the next scan: said, never dropped silently."""
    if not pending or pending.get("sku") == now_sku:
        return ""
    return turn.t("{sku} was scanned but got no quantity, so it is not counted; scan it again to count it.",
                  sku=pending.get("sku") or pending.get("code"))


async def _record(turn: Turn, pending: dict) -> None:
    """Records one count line; a product kept by lot asks for the lot, a new lot of an expiry-tracked one for its expiry."""
    from datetime import date as _date

    try:
        step = await counting.record_count(
            turn.session, turn.state["count_task_id"], turn.user, pending["code"], Decimal(pending["qty"]),
            lot=pending.get("lot") or "", no_lot=bool(pending.get("no_lot")),
            expiry=_date.fromisoformat(pending["expiry"]) if pending.get("expiry") else None)
    except counting.LotNeeded as exc:
        turn.goto("count", "lot", pending=pending)
        turn.say(turn.render(exc) + "\n" + turn.t("Type the lot printed on the goods, or \u201cnone\u201d if they carry no lot."),
                 [[Button(turn.t("No lot on them"), "count_nolot:")]])
        return
    except counting.ExpiryNeeded as exc:
        turn.goto("count", "expiry", pending=pending)
        turn.say(turn.render(exc) + "\n" + turn.t("E.g. 2027-03-31 or 31.03.2027."))
        return
    turn.goto("count", "lines", pending=None)
    _say_note(turn, step.happened, turn.t("Next product, or \u201cdone\u201d."), [[Button(turn.t("Finish count"), "count_done:")]])


async def on_count_lot(turn: Turn) -> None:
    pending = dict(turn.state.get("pending") or {})
    text = (turn.inbound.text or "").strip()
    if turn.inbound.kind == "text" and is_done(text):  # "done" is no lot: the confirmation says what waits
        await _ask_finish(turn)
        return
    if turn.inbound.kind == "text" and text.lower() in NO_LOT_WORDS:
        pending.update(lot="", no_lot=True)
    else:
        pending["lot"], expiry = await lot_of(turn)
        if expiry:
            pending["expiry"] = expiry.isoformat()
    await _record(turn, pending)


async def on_count_nolot(turn: Turn) -> None:  # offered at the lot step only (flow_buttons)
    await _record(turn, {**turn.state.get("pending", {}), "lot": "", "no_lot": True})


async def _ask_finish(turn: Turn) -> None:
    """Before a count settles the bin: what it will do. A blind counter sees what they counted and
    what nobody counted (recorded as 0: the write-off this question is here to prevent), never the
    records; someone who may approve counts sees every change, records now -> after."""
    preview = await counting.finish_preview(turn.session, turn.state["count_task_id"])
    turn.goto("count", "finish")
    out = [turn.t("Finish the count of {bin}?", bin=preview.bin_code)]
    pending = turn.state.get("pending")
    if pending and pending.get("qty"):
        out.append(turn.t("{sku} still waits for its lot or expiry, so it is not counted yet: press Keep counting to give it.",
                          sku=pending.get("sku") or pending.get("code")))
    elif pending:
        out.append(turn.t("{sku} was scanned but got no quantity: type how many you see first, or it is not counted.",
                          sku=pending.get("sku") or pending.get("code")))

    def what(ln) -> str:
        return f"{ln.sku} {ln.name}" + (turn.t(" lot {lot}", lot=ln.lot) if ln.lot else "")

    if can(turn.user, "approve_counts"):
        if preview.changes:
            out.append(turn.t("Stock that changes (records now \u2192 counted):"))
            out += [f"\u2022 {what(ln)}: {_fmt(ln.before)} \u2192 {_fmt(ln.after)} {ln.unit}"
                    + (turn.t(" (not counted)") if not ln.counted else "") for ln in preview.changes]
        else:
            out.append(turn.t("The count matches the records: no stock changes."))
    else:
        counted = [ln for ln in preview.lines if ln.counted]
        if counted:
            out.append(turn.t("You counted:"))
            out += [f"\u2022 {what(ln)}: {_fmt(ln.after)} {ln.unit}" for ln in counted]
        else:
            out.append(turn.t("You have not counted anything in this bin."))
        if preview.not_counted:
            out.append(turn.t("Not counted, so recorded as 0 when you finish (scan them if they are here):"))
            out += [f"\u2022 {what(ln)}" for ln in preview.not_counted]
    turn.say("\n".join(out), [[Button(turn.t("Finish count"), "count_done:ok"),
                                 Button(turn.t("Keep counting"), "count_done:back")]])


async def _finish_count(turn: Turn) -> None:
    policy = counting.VariancePolicy(**_variance_settings(turn))
    outcome = await counting.finish_count(turn.session, turn.state["count_task_id"], turn.user, policy)
    turn.end()
    _say_note(turn, outcome.happened)


def _variance_settings(turn: Turn) -> dict:
    cfg = turn.services.settings.warehouse
    out = {}
    if cfg.count_variance_percent is not None:
        out["percent"] = Decimal(str(cfg.count_variance_percent))
    if cfg.count_variance_units is not None:
        out["absolute"] = Decimal(str(cfg.count_variance_units))
    return out


async def on_count_done(turn: Turn) -> None:
    """count_done: asks (with what will change); count_done:ok finishes; count_done:back goes on counting.
    The router lets them through only as the count's latest buttons at the step they were offered at."""
    if turn.args == "ok" and turn.conv.step == "finish":
        await _finish_count(turn)
    elif turn.args == "back":
        turn.goto("count", "lines")
        turn.say(turn.t("Scan a product, then type how many you see. Send \u201cdone\u201d when the bin is counted."),
                 [[Button(turn.t("Finish count"), "count_done:")]])
    elif not turn.args:
        await _ask_finish(turn)
    else:
        raise InvalidInput(N_("That button is no longer valid."))


async def approvals_cmd(turn: Turn) -> None:
    for c in (await _waiting_here(turn, counting.counts_awaiting_approval, N_("No counts are waiting for approval.")))[:5]:
        lines = [turn.t("Count of {bin}, per lot: records now \u2192 counted", bin=c.bin_code)]
        by_lot = {v.sku for v in c.lines if v.lot}
        for v in c.lines:
            lot = turn.t(" lot {lot}", lot=v.lot) if v.lot else (turn.t(" (no lot)") if v.sku in by_lot else "")
            exp = turn.t(", best before {day}", day=format_date(v.expiry, turn.lang)) if v.expiry else ""
            unseen = turn.t(" (not seen)") if not v.seen else ""
            lines.append(f"\u2022 {v.sku}{lot}{exp}: {turn.value(v.current)} \u2192 {turn.value(v.counted)}{unseen}")
        turn.say("\n".join(lines), [[Button(turn.t("Approve"), f"count_ok:{c.count_task_id}:1"),
                                     Button(turn.t("Recount"), f"count_ok:{c.count_task_id}:0")]])


async def on_count_decision(turn: Turn) -> None:
    task_id, _, approve = turn.args.partition(":")
    outcome = await counting.decide_count(turn.session, button_id(task_id), turn.user, approve=approve == "1")
    _say_note(turn, outcome.happened, _served(turn, outcome.served)) if outcome.happened else turn.say(turn.t("Count of {bin}: {status}.", bin=outcome.bin_code, status=turn.t(status_label(outcome.status, COUNT))))


# ---------------------------------------------------------------- moving
async def move_cmd(turn: Turn) -> None:
    turn.goto("move", "from")
    turn.say(turn.t("Move stock. Scan the bin you take it from."), [[Button(turn.t("Cancel"), "cancel:")]])


async def move_intent(turn: Turn) -> None:
    e = turn.parsed.entities if turn.parsed else {}
    if all(e.get(k) for k in ("from_location", "to_location", "quantity")) and (e.get("product") or e.get("sku")):
        result = await moves.move_stock(turn.session, turn.user, warehouse=await _warehouse(turn), from_bin=e["from_location"],
                                        to_bin=e["to_location"], product_code=await _product_code(turn, e.get("sku") or e["product"]),
                                        quantity=e["quantity"])
        _say_note(turn, result.happened, _served(turn, result.served))
        return
    await move_cmd(turn)


async def _product_code(turn: Turn, text: str) -> str:
    winner = clear_winner(await find_products(turn.session, text))
    if winner is None:
        raise NotFound(N_("I don't know a product \u201c{text}\u201d. Try its name, code or barcode."), text=text)
    return winner.product.sku


async def on_move_input(turn: Turn) -> None:
    step, s = turn.conv.step, turn.state
    if step in ("from", "product", "to"):
        scan = await one_scan(turn)
        if scan is None:
            return
    if step == "from":
        turn.goto("move", "product", from_bin=scan.code)
        turn.say(turn.t("Now scan the product."))
    elif step == "product":
        resolved = await resolve_product(turn.session, scan.code)
        turn.goto("move", "qty", code=scan.code, lot=scan.lot or None)
        turn.say(turn.t("How many {unit} of {name}?", unit=turn.unit(resolved.product.unit), name=resolved.product.name))
    elif step == "qty":
        qty = _qty_text(turn.inbound.text or "")
        if qty <= 0:
            raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=qty)
        turn.goto("move", "to", qty=str(qty))
        turn.say(turn.t("Scan the bin you put it into."))
    else:
        result = await moves.move_stock(turn.session, turn.user, warehouse=await _warehouse(turn), from_bin=s["from_bin"],
                                        to_bin=scan.code, product_code=s["code"], quantity=Decimal(s["qty"]),
                                        lot=s.get("lot"))
        turn.end()
        _say_note(turn, result.happened, _served(turn, result.served))


# ---------------------------------------------------------------- stock questions
async def stock_cmd(turn: Turn) -> None:
    query = turn.args.strip()
    if not query and turn.inbound.kind in ("photo", "document"):
        await photo_default(turn)
        return
    await _stock_answer(turn, query, None)


async def stock_intent(turn: Turn) -> None:
    e = turn.parsed.entities if turn.parsed else {}
    await _stock_answer(turn, e.get("sku") or e.get("product") or e.get("location") or "", e.get("location"))


async def photo_default(turn: Turn) -> None:
    """A barcode photo outside any flow: tell what it is and how much we have; for a
    photo with several codes, about each one we know."""
    scans = await scans_of(turn)
    if len(scans) <= 1:
        await _stock_answer(turn, scans[0].code if scans else "", None)
        return
    unknown = []
    for scan in scans[:CHOICES]:
        try:
            await _stock_answer(turn, scan.code, None)
        except NotFound:
            unknown.append(scan.raw)
    if len(unknown) == len(scans[:CHOICES]):
        raise NotFound(Np_("That photo has {count} barcode, and it is no product or bin I know: {codes}.", "That photo has {count} barcodes, and none of them is a product or bin I know: {codes}."),
                       count=len(scans), codes=", ".join(unknown))
    if unknown:
        turn.say(turn.t("Not a product or bin I know: {codes}.", codes=", ".join(unknown)))


async def _stock_answer(turn: Turn, query: str, location: str | None) -> None:
    if not query:
        turn.say(turn.t("Which product or bin? E.g. /stock A4 paper, /stock A-01-02, or send a photo of the barcode."))
        return
    wh = await _warehouse(turn)
    loc = await find_location(turn.session, wh.id, query)
    if loc is not None and not location:
        try:
            quants = await stock.bin_contents(turn.session, loc, turn.user)
        except stock.BinHidden:
            turn.say(turn.t("You are counting {bin}: its stock is not shown until the count is finished.", bin=loc.code))
            return
        lines = [turn.t("Bin {bin} ({warehouse}):", bin=loc.code, warehouse=wh.code)] + [
            f"\u2022 {p.sku} {p.name}{turn.t(' lot {lot}', lot=q.lot) if q.lot else ''}: {turn.qty(q.quantity, p.unit)}"
            + (turn.t(" ({reserved} reserved)", reserved=turn.value(q.reserved)) if q.reserved else "") for q, p in quants]
        turn.say("\n".join(lines) if quants else turn.t("Bin {bin} is empty.", bin=loc.code))
        return
    try:
        product = (await resolve_product(turn.session, query)).product
    except NotFound:
        matches = await find_products(turn.session, query, code_not_found=True)
        winner = clear_winner(matches)
        if winner is None:
            if not matches:
                if " " not in query.strip():
                    raise  # a code: "No product with code …"
                raise NotFound(N_("I know no product or bin called {name}. Write its code (e.g. WID-001), part of its name, "
                                  "or send a photo of the barcode."), name=query) from None
            turn.say(turn.t("Which product do you mean?"), [[Button(f"{m.product.name} ({m.product.sku})", f"stock_p:{m.product.id}")]
                                                          for m in matches[:5]])
            return
        product = winner.product
    await _product_stock(turn, product)


async def _product_stock(turn: Turn, product) -> None:
    level = await stock.stock_level(turn.session, product.id)
    rows = await stock.stock_rows(turn.session, product.id)
    lang = turn.lang
    hidden = await counting.hidden_bins_for(turn.session, turn.user)
    if hidden:
        from domain.models import Location, Warehouse as _Wh

        codes = {(w.code, loc.code) for loc, w in (await turn.session.exec(
            select(Location, _Wh).join(_Wh, _Wh.id == Location.warehouse_id).where(Location.id.in_(hidden)))).all()}
        kept = [r for r in rows if (r.warehouse, r.bin) not in codes]
        if len(kept) != len(rows):
            # Totals minus the other bins would give the counted bin away: only the other bins are shown.
            lines = [turn.t("{name} ({sku}): totals are not shown while you count {bins}.", name=product.name, sku=product.sku,
                            bins=", ".join(sorted(f"{w} {b}" for w, b in codes)))]  # the same code is in every warehouse
            for r in kept[:12]:
                lot = turn.t(" lot {lot}", lot=r.lot) if r.lot else ""
                exp = turn.t(" exp {day}", day=format_date(r.expiry, turn.lang)) if r.expiry else ""
                lines.append(f"\u2022 {r.warehouse} {r.bin}{lot}{exp}: {turn.value(r.on_hand)}")
            turn.say("\n".join(lines))
            return
    lines = [turn.t("{name} ({sku}): {on_hand} on hand, {reserved} reserved, {available} available.",
                    name=product.name, sku=product.sku, on_hand=turn.qty(level.on_hand, product.unit),
                    reserved=format_number(level.reserved, lang), available=format_number(level.available, lang))]
    for r in rows[:12]:
        lot = turn.t(" lot {lot}", lot=r.lot) if r.lot else ""
        exp = turn.t(" exp {day}", day=format_date(r.expiry, turn.lang)) if r.expiry else ""
        lines.append(f"\u2022 {r.warehouse} {r.bin}{lot}{exp}: {turn.value(r.on_hand)}")
    turn.say("\n".join(lines))


async def on_stock_product(turn: Turn) -> None:
    from domain.models import Product

    product = await turn.session.get(Product, button_id(turn.args))
    if product is None:
        raise NotFound(N_("There is no such product."))
    await _product_stock(turn, product)


# ---------------------------------------------------------------- inspection
async def inspect_cmd(turn: Turn) -> None:
    for p in (await _waiting_here(turn, receiving.pending_inspections, N_("Nothing is waiting in quarantine.")))[:8]:
        turn.say(turn.t("{receipt}: {qty} \u00d7 {sku} {name}{lot}", receipt=p.receipt_number, qty=turn.value(p.quantity), sku=p.sku,
                        name=p.name, lot=turn.t(" lot {lot}", lot=p.lot) if p.lot else ""),
                 [[Button(turn.t("Accept"), f"inspect:{p.receipt_line_id}:1"), Button(turn.t("Reject"), f"inspect:{p.receipt_line_id}:0")]])


async def on_inspect(turn: Turn) -> None:
    line_id, _, accept = turn.args.partition(":")
    result = await receiving.inspect_receipt_line(turn.session, button_id(line_id), turn.user, accept=accept == "1")
    _say_note(turn, result.happened)


# ---------------------------------------------------------------- transfers between warehouses
async def transfer_cmd(turn: Turn) -> None:
    """/transfer NORTH A-01-02 WID-001 10 [LOT]; A-01-03 WID-002 5 — several lines, each from a bin, lots named."""
    head, _, rest = turn.args.strip().partition(" ")
    chunks = [c.split() for c in re.split(r"[;\n]", rest) if c.strip()]
    if not head or not chunks or any(len(c) not in (3, 4) for c in chunks):
        turn.say(turn.t("Write /transfer TO-WAREHOUSE FROM-BIN PRODUCT QUANTITY [LOT], more lines after \u201c;\u201d, "
                        "e.g. /transfer NORTH A-01-02 WID-001 10; A-01-03 MILK-1 5 L42."))
        return
    to_wh = (await turn.session.exec(select(Warehouse).where(Warehouse.code == head.upper()))).first()
    if to_wh is None:
        raise NotFound(N_("There is no warehouse {code}."), code=head)
    lines = [transfers.TransferInput(from_bin=c[0], code=c[1], quantity=_qty_text(c[2]), lot=c[3] if len(c) == 4 else None)
             for c in chunks]
    result = await transfers.send_transfer(turn.session, turn.user, from_warehouse=await _warehouse(turn), to_warehouse=to_wh,
                                           lines=lines)
    turn.say(turn.t("Transfer {number} sent: {lines}. It is in transit to {to}; receive it there with /transfer_in {number}.",
                    number=result.number, to=result.to_warehouse,
                    lines=", ".join(f"{turn.value(ln.quantity)} × {ln.sku}" + (turn.t(" lot {lot}", lot=ln.lot) if ln.lot else "") for ln in result.lines)))


async def transfer_in_cmd(turn: Turn) -> None:
    parts = turn.args.split()
    if not parts:
        turn.say(turn.t("Write /transfer_in TRANSFER-NUMBER [BIN]."))
        return
    result = await transfers.receive_transfer(turn.session, turn.user, parts[0], bin_code=parts[1] if len(parts) > 1 else None)
    turn.say("\n".join([turn.t("Transfer {number} received in {to}: {lines}.", number=result.number, to=result.to_warehouse,
                                lines=", ".join(f"{turn.value(ln.quantity)} × {ln.sku} → {ln.to_bin}" for ln in result.lines)),
                         *served_text(turn, result.served)]))


def register(router: Router) -> None:
    router.declare(
        capability="warehouse_ops",
        commands={"transfer": (transfer_cmd, N_("send stock to another warehouse")),
                  "transfer_in": (transfer_in_cmd, N_("receive a transfer from another warehouse")),
                  "pick": (pick_cmd, N_("pick an order, bin by bin")),
                  "next": (next_task_cmd, N_("next put-away or refill task")),
                  "receive": (receive_cmd, N_("receive goods (optionally against a PO: /receive PO-2601)")),
                  "count": (count_cmd, N_("count a bin (blind)")),
                  "move": (move_cmd, N_("move stock between bins")),
                  "pack": (pack_cmd, N_("pack a picked order: /pack 1042")),
                  "ship": (ship_cmd, N_("ship a packed order: /ship 1042")),
                  "stock": (Route(stock_cmd, "view_stock"), N_("how much we have: /stock A4 paper")),
                  "inspect": (Route(inspect_cmd, "inspect_goods"), N_("accept or reject goods in quarantine")),
                  "approvals": (Route(approvals_cmd, "approve_counts"), N_("count differences waiting for approval")),
                  "@photo": Route(photo_default, "view_stock")},
        intents={"start_picking": pick_intent, "receive_stock": receive_intent, "count_stock": count_intent,
                 "move_stock": move_intent, "check_stock": Route(stock_intent, "view_stock")},
        steps={"pick": {"work": on_pick_input},
               "task": {"scan_bin": on_task_bin},
               "receive": {"lines": on_receive_input, "review": on_receive_input, "lot": on_receive_lot,
                           "expiry": _expiry_step(_receive_preview, _receive_ask)},
               "count": {"bin": on_count_bin, "lines": on_count_input, "lot": on_count_lot, "expiry": _expiry_step(_ask_finish, _record),
                         "finish": on_count_input},
               "move": dict.fromkeys(("from", "product", "qty", "to"), on_move_input)},
        callbacks={"pick_order": on_pick_order, "pick_qty": on_pick_qty, "pick_short": on_pick_short, "ship": on_ship,
                   "wh_next": on_next_button, "recv_done": on_receive_done, "recv_book": on_receive_book,
                   "count_done": on_count_done, "count_nolot": on_count_nolot,
                   "count_ok": Route(on_count_decision, "approve_counts"),
                   "stock_p": Route(on_stock_product, "view_stock"), "inspect": Route(on_inspect, "inspect_goods"),
                   "scan": Route(on_scan_choice)},  # which code of a photo with several; the step's own checks apply
    )
    router.expects("pick")(pick_expectations)
