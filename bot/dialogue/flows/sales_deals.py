"""Deals: creating, looking at, moving through the stages.

    /newdeal [customer]  -> customer -> amount (+currency) -> expected close -> saved  (create_deal intent)
    /deals               my open deals (managers: everyone's), each a button -> stage buttons
    "Acme deal lost, price too high" / "move the Acme deal to negotiation"  (update_deal intent)
    lost needs a reason: buttons with the usual ones, or typed.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from domain.crm import customers as crm_customers
from domain.crm import deals as crm_deals
from domain.errors import InvalidInput, N_
from domain.models import Customer, Deal
from domain.punctuation import join_sentences

from ..messages import Button
from ..router import Router
from ..turn import Turn, button_id
from ...formatting import format_date, shorten
from .crm_common import (ask_missing, choose_customer, customer_step, entities, entity_day, money, note_customer, on_customer, parse_day,
                         stage_name)

NEW, MOVE = "deal", "dealmove"
REASON_LABELS = {"price too high": N_("Price too high"), "chose a competitor": N_("Chose a competitor"), "no budget": N_("No budget"),
                 "delivery time": N_("Delivery time"), "no answer": N_("Stopped answering")}
_AMOUNT = re.compile(r"^\s*(?P<num>\d[\d\s.,]*)\s*(?P<k>[kK]|тыс\.?|thousand)?\s*(?P<cur>[A-Za-z]{3})?\s*$")


def parse_amount_text(text: str, default_currency: str) -> tuple[str, str]:
    """ "20k EUR" -> ("20000", "EUR"); "1 500,50" -> ("1500.50", default)."""
    text = (text or "").strip()
    if text.startswith("-"):
        raise InvalidInput(N_("The amount can't be negative."))
    m = _AMOUNT.match(text)
    if not m:
        raise InvalidInput(N_("I can't read \u201c{text}\u201d as an amount. Try \u201c20000 EUR\u201d or \u201c20k\u201d."), text=text)
    num = m["num"].replace(" ", "")
    if "," in num and "." in num:
        num = num.replace(",", "")  # 1,500.50
    elif num.count(",") == 1 and len(num.split(",")[1]) != 3:
        num = num.replace(",", ".")  # 1500,50
    else:
        num = num.replace(",", "")
    amount = crm_deals.parse_amount(num)
    if m["k"]:
        amount *= 1000
    return str(amount), (m["cur"] or default_currency).upper()


# --- creating ----------------------------------------------------------------------------------
async def start(turn: Turn) -> None:
    turn.end()
    await choose_customer(turn, turn.args, flow=NEW)


async def from_intent(turn: Turn) -> None:
    ent = entities(turn)
    turn.end()
    data: dict = {}
    if ent.get("amount") is not None:
        data["amount"] = str(crm_deals.parse_amount(ent["amount"]))
        data["currency"] = ent.get("currency") or turn.services.settings.company.currency
    if ent.get("product"):
        qty = ent.get("quantity")
        data["title"] = f"{qty} {ent['product']}" if qty else str(ent["product"])
    day = entity_day(ent)
    if day:
        data["close"] = day.isoformat()
    await choose_customer(turn, ent.get("customer"), flow=NEW, **data)


def _ask_amount(turn: Turn) -> None:
    turn.say(turn.t("Deal with {customer}: how much? e.g. \u201c20000\u201d or \u201c20k USD\u201d (default {currency}).",
                    customer=turn.state["customer_name"], currency=turn.services.settings.company.currency))


def _ask_close(turn: Turn) -> None:
    today = turn.now().date()
    quarter_end = date(today.year + (today.month > 9), (((today.month - 1) // 3 + 1) % 4) * 3 + 1, 1) - timedelta(days=1)
    turn.say(turn.t("Expected to close when? Choose, or type a date."),
             [[Button(turn.t("In 2 weeks"), f"deal:close:{(today + timedelta(days=14)).isoformat()}"),
               Button(turn.t("In a month"), f"deal:close:{(today + timedelta(days=30)).isoformat()}")],
              [Button(turn.t("End of quarter"), f"deal:close:{quarter_end.isoformat()}"), Button(turn.t("Skip"), "deal:close:-")]])


async def on_amount(turn: Turn) -> None:
    amount, currency = parse_amount_text(turn.inbound.text or "", turn.services.settings.company.currency)
    crm_deals.parse_currency(currency, currency)  # a bad currency is refused now, not at the end
    turn.goto(NEW, "amount", amount=amount, currency=currency)
    await _next(turn)


async def on_close(turn: Turn) -> None:
    day = parse_day(turn, turn.inbound.text or "")
    if day is None:
        raise InvalidInput(N_("I can't read \u201c{text}\u201d as a date. Try \u201c31.12.2026\u201d or \u201cin 2 weeks\u201d."),
                           text=turn.inbound.text or "")
    if day < turn.now().date():
        raise InvalidInput(N_("The expected close date {date} is in the past."), date=day)
    turn.goto(NEW, "close", close=day.isoformat())
    await _next(turn)


async def _save(turn: Turn) -> None:
    s = turn.state
    settings = turn.services.settings
    deal = await crm_deals.create_deal(turn.session, turn.user, customer_id=s["customer_id"], title=s.get("title"),
                                       amount=s.get("amount"), currency=s.get("currency"), default_currency=settings.company.currency,
                                       today=turn.now().date(), expected_close=date.fromisoformat(s["close"]) if s.get("close") else None,
                                       now=turn.services.clock())
    turn.end()
    turn.remember_undo("deal", id=deal.id)
    lines = [turn.t("New deal: {title}", title=deal.title), f"{money(turn, deal.amount, deal.currency)} · {stage_name(turn, deal.stage)}"]
    if deal.expected_close:
        lines.append(turn.t("Expected close: {date}", date=format_date(deal.expected_close, turn.lang)))
    lines.append(turn.t("/undo takes it back."))
    turn.say("\n".join(lines), _stage_buttons(turn, deal), edit=turn.inbound.kind == "callback")


async def undo_deal(turn: Turn) -> None:
    deal = await crm_deals.delete_new_deal(turn.session, turn.user, turn.undo_id)
    turn.say(turn.t("Undone: deal {title} removed.", title=deal.title))


_next = ask_missing(NEW, [("amount", "amount", _ask_amount), ("close", "close", _ask_close)], then=_save)
with_customer = note_customer(NEW, _next)


# --- looking at and moving ------------------------------------------------------------------------
def _stage_buttons(turn: Turn, deal: Deal) -> list[list[Button]]:
    if deal.stage in crm_deals.CLOSED:
        return []
    nxt = [s for s in crm_deals.OPEN_STAGES if s != deal.stage]
    rows = [[Button(stage_name(turn, s), f"deal:mv:{deal.id}:{s}") for s in nxt]]
    rows.append([Button("✅ " + stage_name(turn, "won"), f"deal:mv:{deal.id}:won"), Button("❌ " + stage_name(turn, "lost"), f"deal:mv:{deal.id}:lost")])
    return rows


async def list_deals(turn: Turn) -> None:
    turn.end()
    deals = await crm_deals.open_deals_seen_by(turn.session, turn.user)
    if not deals:
        turn.say(turn.t("No open deals. /newdeal starts one."))
        return
    total: dict[str, float] = {}
    for d in deals:
        total[d.currency] = total.get(d.currency, 0) + float(d.amount or 0)
    lines = [turn.t("Open deals: {count}", count=len(deals)) + " · " + ", ".join(money(turn, v, c) for c, v in total.items())]
    buttons = []
    for d in deals[:15]:
        lines.append(f"• {d.title} — {stage_name(turn, d.stage)}, {money(turn, d.amount, d.currency)}")
        buttons.append([Button(f"{shorten(d.title, 40)} · {stage_name(turn, d.stage)}", f"deal:view:{d.id}")])
    if len(deals) > 15:
        lines.append(turn.t("…and {n} more.", n=len(deals) - 15))
    turn.say("\n".join(lines), buttons)


async def _show(turn: Turn, deal: Deal, *, edit: bool = False) -> None:
    customer = await crm_customers.get_customer(turn.session, deal.customer_id)
    lines = [f"💼 {deal.title}", f"{customer.name} · {money(turn, deal.amount, deal.currency)} · {stage_name(turn, deal.stage)}"
             + (f" ({deal.probability}%)" if deal.probability is not None else "")]
    if deal.expected_close:
        lines.append(turn.t("Expected close: {date}", date=format_date(deal.expected_close, turn.lang)))
    if deal.lost_reason:
        lines.append(turn.t("Lost: {reason}", reason=deal.lost_reason))
    turn.say("\n".join(lines), _stage_buttons(turn, deal) if crm_deals.may_edit(turn.user, deal) else [], edit=edit)


async def _move(turn: Turn, deal_id: int, stage: str, reason: str | None = None) -> None:
    if stage == "lost" and not reason:
        turn.end()
        turn.goto(MOVE, "reason", deal_id=deal_id)
        await crm_deals.get_deal(turn.session, turn.user, deal_id, for_edit=True)  # refuse early when not theirs
        turn.say(turn.t("Why was it lost? Choose, or type the reason."),
                 [[Button(turn.t(label), f"deal:lost:{deal_id}:{i}")] for i, label in enumerate(REASON_LABELS.values())])
        return
    change = await crm_deals.move_deal(turn.session, turn.user, deal_id, stage, lost_reason=reason, now=turn.services.clock())
    turn.end()
    turn.remember_undo("deal_stage", id=change.id)
    deal = await crm_deals.get_deal(turn.session, turn.user, deal_id)
    moved = turn.t("{title}: {from_stage} → {to_stage}.", title=deal.title, from_stage=stage_name(turn, change.from_stage),
                   to_stage=stage_name(turn, change.to_stage))
    reason = turn.t("Reason: {reason}", reason=deal.lost_reason) if deal.lost_reason else ""
    turn.say(join_sentences(moved, reason) + "\n" + turn.t("/undo takes it back."), edit=turn.inbound.kind == "callback")


async def undo_stage(turn: Turn) -> None:
    deal = await crm_deals.undo_stage_change(turn.session, turn.user, turn.undo_id)
    turn.say(turn.t("Undone: {title} is back at {stage}.", title=deal.title, stage=stage_name(turn, deal.stage)))


async def on_button(turn: Turn) -> None:
    """deal:start:<customer> | deal:close:<date|-> | deal:view:<id> | deal:mv:<id>:<stage> | deal:lost:<id>:<i> | deal:pick:<id>"""
    action, _, rest = turn.args.partition(":")
    if action == "start":
        turn.end()
        await with_customer(turn, await crm_customers.get_customer(turn.session, button_id(rest)))
    elif action == "close":  # the deal flow's latest button only (flow_buttons)
        turn.goto(NEW, "close", close="" if rest == "-" else rest)
        await _next(turn)
    elif action == "view":
        await _show(turn, await crm_deals.get_deal(turn.session, turn.user, button_id(rest)))
    elif action == "mv":
        deal_id, _, stage = rest.partition(":")
        await _move(turn, button_id(deal_id), stage)
    elif action == "lost":
        deal_id, _, idx = rest.partition(":")
        await _move(turn, button_id(deal_id), "lost", list(REASON_LABELS)[button_id(idx, 0, len(REASON_LABELS) - 1)])
    elif action == "pick":  # one of several deals of a customer, for the pending update
        stage, reason = turn.state.get("stage"), turn.state.get("lost_reason")
        if stage:
            await _move(turn, button_id(rest), stage, reason)
        else:
            await _show(turn, await crm_deals.get_deal(turn.session, turn.user, button_id(rest)), edit=True)
    else:
        turn.say(turn.t("That button is no longer valid."))


async def on_reason_text(turn: Turn) -> None:
    await _move(turn, turn.state["deal_id"], "lost", (turn.inbound.text or "").strip())


# --- update_deal intent ---------------------------------------------------------------------------
async def update_from_intent(turn: Turn) -> None:
    ent = entities(turn)
    turn.end()
    stage = crm_deals.check_stage(ent["stage"]) if ent.get("stage") else None
    await choose_customer(turn, ent.get("customer"), flow=MOVE, stage=stage, lost_reason=ent.get("lost_reason") or ent.get("note"))


@on_customer(MOVE)
async def update_with_customer(turn: Turn, customer: Customer) -> None:
    deals = [d for d in await crm_deals.open_deals(turn.session, customer_id=customer.id) if crm_deals.may_edit(turn.user, d)]
    stage, reason = turn.state.get("stage"), turn.state.get("lost_reason")
    if not deals:
        turn.end()
        turn.say(turn.t("{customer} has no open deal of yours. /newdeal starts one.", customer=customer.name))
        return
    if len(deals) > 1:
        turn.goto(MOVE, "pick")
        turn.say(turn.t("Which deal?"), [[Button(f"{shorten(d.title, 40)} · {stage_name(turn, d.stage)}", f"deal:pick:{d.id}")] for d in deals[:8]])
        return
    if stage:
        await _move(turn, deals[0].id, stage, reason)
    else:
        turn.end()
        await _show(turn, deals[0])


def register(router: Router) -> None:
    router.declare(
        capability="manage_deals",
        commands={"newdeal": (start, N_("start a deal")), "deals": (list_deals, N_("open deals and their stages"))},
        intents={"create_deal": from_intent, "update_deal": update_from_intent},
        steps={NEW: {"customer": customer_step(NEW), "amount": on_amount, "close": on_close},
               MOVE: {"reason": on_reason_text, "customer": customer_step(MOVE)}},
        callbacks={"deal": on_button},
        undos={"deal_stage": undo_stage, "deal": undo_deal},
    )
