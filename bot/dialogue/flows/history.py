"""Who changed what: the audit log in the chat, for managers and admins.

    /history order 1042 | /history deal 7 | /history product SKU | /history customer Acme | /history person Ann
    "who changed order 1042?", "кто менял заказ 1042" (history_phrases.py, before the NLU)

The latest changes, newest first: when (the reader's time zone and locale), who,
through which channel, and what changed (field: before → after).
"""
from __future__ import annotations

from typing import Any

from domain import audit
from domain.errors import N_, NotFound

from ...formatting import format_datetime
from ..router import Router
from ..turn import Turn
from . import history_phrases

SHOWN = 10
VALUE_CHARS = 60

KIND_NAMES = {
    "order": N_("order"), "deal": N_("deal"), "product": N_("product"), "customer": N_("customer"), "person": N_("person"),
    "invoice": N_("invoice"), "purchase_order": N_("purchase order"), "supplier": N_("supplier"), "location": N_("location"),
    "warehouse": N_("warehouse"), "receipt": N_("receipt"), "transfer": N_("transfer"), "count": N_("stock count"),
    "group": N_("client group"), "mailing": N_("mailing"), "stock_move": N_("stock move"), "reminder": N_("reminder"),
    "invite": N_("invite"), "phone": N_("phone number"),
}
PART_NAMES = {
    "line": N_("line {ref}"), "pick_list": N_("pick list {ref}"), "payment": N_("payment {ref}"), "contact": N_("contact {ref}"),
    "legal_entity": N_("legal entity {ref}"), "interaction": N_("interaction {ref}"), "member": N_("member {ref}"),
    "barcode": N_("barcode {ref}"), "supplier": N_("supplier {ref}"), "component": N_("component {ref}"),
    "reorder_rule": N_("min/max in warehouse {ref}"),
}
FIELD_NAMES = {
    "status": N_("status"), "quantity": N_("quantity"), "price": N_("price"), "discount_pct": N_("discount %"),
    "promised_date": N_("promised date"), "priority": N_("priority"), "stage": N_("stage"), "amount": N_("amount"),
    "name": N_("name"), "phone": N_("phone"), "role": N_("role"), "blocked": N_("blocked"), "owner_id": N_("owner"),
    "lost_reason": N_("reason lost"), "reserved_qty": N_("reserved"), "picked_qty": N_("picked"),
    "shipped_qty": N_("shipped"), "language": N_("language"), "probability": N_("probability"),
}
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
    except NotFound as err:  # the kind in the reader's language
        params = dict(err.params)
        kind_name = KIND_NAMES.get(params.get("kind"))
        if kind_name:
            params.update(kind=turn.t(kind_name))
        turn.say(turn.t(err.template, **params))
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
    what = _what(turn, item)
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


def _field(turn: Turn, key: str) -> str:
    return turn.t(FIELD_NAMES[key]) if key in FIELD_NAMES else key


def _value(turn: Turn, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return turn.t("yes")
    if value is False:
        return turn.t("no")
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + "…"


def register(router: Router) -> None:
    router.command("history", help=N_("who changed a record: /history order 1042"), capability="view_history")(show_history)
    router.pattern("history", history_phrases.matches, capability="view_history")(history_from_text)
