"""Who changed what: the audit log in the chat, for managers and admins.

    /history order 1042 | /history deal 7 | /history product SKU | /history customer Acme | /history person Ann
    "who changed order 1042?", "кто менял заказ 1042" (history_phrases.py, before the NLU)

The latest changes, newest first: when (the reader's time zone and locale), who,
through which channel, and what changed (field: before → after), with SKUs, bin
codes, names and numbers instead of ids, numbers and dates in the reader's locale
(one date format: Babel's short one), and a product's or bin's stock moves.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from domain import audit
from domain.errors import N_, Npt_, NotFound
from domain.record_labels import RECORD_KINDS

from ...formatting import format_date, format_datetime, format_number, shorten
from ..router import Router
from ..turn import Turn
from . import history_phrases

SHOWN = 10
VALUE_CHARS = 60

# The record kinds as said before their reference ("order 1042"): context "record kind", so that they
# differ from the same words as field labels below (ro «comanda 1042» but «comandă: 1042»).
KIND_NAMES = RECORD_KINDS
PART_NAMES = {
    "line": N_("line {ref}"), "pick_list": N_("pick list {ref}"), "payment": N_("payment {ref}"), "contact": N_("contact {ref}"),
    "legal_entity": N_("legal entity {ref}"), "interaction": N_("interaction {ref}"), "member": N_("member {ref}"),
    "barcode": N_("barcode {ref}"), "supplier": N_("supplier {ref}"), "component": N_("component {ref}"),
    "reorder_rule": N_("min/max in warehouse {ref}"),
}
# Field labels ("customer: Acme → Beta"); those spelt like a record kind have their own context.
FIELD_NAMES = {
    "status": N_("status"), "quantity": N_("quantity"), "price": N_("price"), "discount_pct": N_("discount %"),
    "promised_date": N_("promised date"), "priority": N_("priority"), "stage": N_("stage"), "amount": N_("amount"),
    "name": N_("name"), "phone": N_("phone"), "role": N_("role"), "blocked": N_("blocked"), "owner_id": N_("owner"),
    "lost_reason": N_("reason lost"), "reserved_qty": N_("reserved"), "picked_qty": N_("picked"),
    "shipped_qty": N_("shipped"), "language": N_("language"), "probability": N_("probability"),
    "cancelled_qty": N_("cancelled"), "returned_qty": N_("returned"), "product_id": Npt_("changed field", "product"),
    "customer_id": Npt_("changed field", "customer"), "supplier_id": Npt_("changed field", "supplier"),
    "warehouse_id": Npt_("changed field", "warehouse"),
    "home_warehouse_id": N_("home warehouse"), "location_id": N_("bin"), "from_location_id": N_("from"),
    "to_location_id": N_("to"), "packing_location_id": N_("packing bin"), "user_id": N_("by"), "picker_id": N_("picker"),
    "created_by_id": N_("created by"), "order_id": Npt_("changed field", "order"), "deal_id": Npt_("changed field", "deal"),
    "invoice_id": Npt_("changed field", "invoice"), "po_id": Npt_("changed field", "purchase order"),
    "shipment_id": N_("shipment"), "reason": N_("reason"), "document": N_("document"),
    "order_date": N_("order date"), "shipped_at": N_("shipped at"), "delivered_at": N_("delivered at"),
    "due_on": N_("due"), "issued_on": N_("issued"), "paid": N_("paid"), "lot": N_("lot"), "expiry": N_("expiry"),
    "line_no": N_("line"), "number": N_("number"), "sku": N_("SKU"), "unit": N_("unit"), "currency": N_("currency"),
    "active": N_("active"), "kind": N_("kind"),
}
PART_NAMES["shipment"] = N_("shipment {ref}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ACTIONS = {"created": N_("created"), "changed": N_("changed"), "deleted": N_("deleted")}


async def show_history(turn: Turn) -> None:
    words = turn.args.split(maxsplit=1)
    if not words:
        turn.say(turn.t("Which record? E.g. /history order 1042, /history deal 7, /history product SKU, "
                        "/history customer Acme, /history person Ann."))
        return
    if words[0].lstrip("#").isdigit():  # "/history 1042": an order number, the most asked
        words = ["order", words[0]]
    await answer(turn, words[0], words[1] if len(words) > 1 else "")


async def history_from_text(turn: Turn) -> None:
    kind, ref = history_phrases.request(turn.args) or ("order", "")
    await answer(turn, kind, ref)


async def answer(turn: Turn, kind: str, ref: str) -> None:
    try:
        found = await audit.history(turn.session, turn.user, kind, ref, limit=SHOWN)
    except NotFound as err:  # the error names the kind by its label: the reader's word for it
        turn.say(turn.render(err))
        return
    subject = turn.t("{kind} {ref}", kind=turn.t(KIND_NAMES[found.entity]), ref=found.ref)
    if not found.items:
        turn.say(turn.t("No changes to {subject} are recorded.", subject=subject))
        return
    head = (turn.t("Changes to {subject}, newest first:", subject=subject) if found.total <= len(found.items) else
            turn.t("Changes to {subject}: the latest {shown} of {total}, newest first:", subject=subject,
                   shown=len(found.items), total=found.total))
    turn.say("\n".join([head] + [_line(turn, item) for item in found.items]))


def _line(turn: Turn, item: audit.Item) -> str:
    when = format_datetime(item.at, turn.lang, turn.tz)
    what = _move(turn, item) if item.entity == "stock_move" and item.action == "created" else _what(turn, item)
    if item.part:
        kind, _, ref = item.part.partition(":")
        part = turn.t(PART_NAMES[kind], ref=ref) if kind in PART_NAMES else item.part
        what = turn.t("{part}: {change}", part=part, change=what)
    if item.channel == "system":  # nobody in particular: start-up seeding, a maintenance script
        return "• " + turn.t("{when} — the system: {change}", when=when, change=what)
    return "• " + turn.t("{when} — {who} ({channel}): {change}", when=when, who=item.actor, channel=item.channel, change=what)


def _what(turn: Turn, item: audit.Item) -> str:
    action = turn.t(ACTIONS.get(item.action, item.action))
    if item.action == "changed":
        fields = ", ".join(turn.t("{field}: {before} → {after}", field=_field(turn, k), before=_value(turn, (item.before or {}).get(k)),
                                  after=_value(turn, v)) for k, v in (item.after or {}).items())
    else:
        values = item.after if item.action == "created" else item.before
        fields = ", ".join(turn.t("{field}: {value}", field=_field(turn, k), value=_value(turn, v)) for k, v in (values or {}).items())
    return turn.t("{action} ({fields})", action=action, fields=fields) if fields else action


def _move(turn: Turn, item: audit.Item) -> str:
    """A stock move in a product's or bin's history: what moved where, and why."""
    m = item.after or {}
    return turn.t("moved {qty} {sku}: {src} → {dst} ({reason}, {document})", qty=_value(turn, m.get("quantity")),
                  sku=_value(turn, m.get("product_id")), src=_value(turn, m.get("from_location_id")),
                  dst=_value(turn, m.get("to_location_id")), reason=_value(turn, m.get("reason")),
                  document=_value(turn, m.get("document")))


def _field(turn: Turn, key: str) -> str:
    return turn.t(FIELD_NAMES[key]) if key in FIELD_NAMES else key


def _value(turn: Turn, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return turn.t("yes")
    if value is False:
        return turn.t("no")
    if isinstance(value, (int, float)):
        return format_number(value, turn.lang)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_date(date.fromisoformat(value), turn.lang, style="short")
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), turn.lang, turn.tz)
        except ValueError:
            pass
    text = str(value)
    return shorten(text, VALUE_CHARS)


def register(router: Router) -> None:
    router.declare(capability="view_history",
                   commands={"history": (show_history, N_("who changed a record: /history order 1042"))})
    router.pattern("history", history_phrases.matches, capability="view_history")(history_from_text)
