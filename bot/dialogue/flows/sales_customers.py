"""Customers: the card, creating (with duplicate check), editing, contacts,
legal entities, merging duplicates.

    /customer NAME            the card  (customer_info intent)
    /newcustomer [NAME]       name -> phone -> city -> saved  (create_customer intent)
    card buttons              log / deal / remind / edit / add contact / add legal entity
    /merge                    which to merge away -> into which -> confirm
"""
from __future__ import annotations

from domain.crm import card as crm_card
from domain.crm import customers as crm
from domain.errors import Conflict, InvalidInput, N_
from domain.models import Customer
from domain.punctuation import split_items

from ..messages import Button
from ..router import Route, Router
from ..turn import Turn, button_id
from domain.status_labels import ORDER, status_label

from ...formatting import format_date, shorten
from .crm_common import choose_customer, customer_step, entities, local, money, on_customer, stage_name, start_for_customer
from .interactions import CHANNEL_NAMES, OUTCOME_LABELS

CARD, NEW, EDIT, MERGE = "card", "newcust", "custedit", "merge"
FIELD_LABELS = {"name": N_("Name"), "phone": N_("Phone"), "city": N_("City"), "email": N_("E-mail"), "tags": N_("Tags"),
                "aliases": N_("Other names")}


# --- the card ------------------------------------------------------------------------------
async def show_card(turn: Turn) -> None:
    turn.end()
    await choose_customer(turn, turn.args or entities(turn).get("customer"), flow=CARD)


@on_customer(CARD)
async def render_card(turn: Turn, customer: Customer) -> None:
    turn.end()
    card = await crm_card.customer_card(turn.session, turn.user, customer.id)
    c = card.customer
    head = f"🏢 {c.name} ({c.code})"
    facts = [x for x in (c.city, c.phone, c.email) if x]
    lines = [head]
    if facts:
        lines.append(" · ".join(facts))
    if c.tags:
        lines.append(turn.t("Tags: {tags}", tags=c.tags.replace(",", ", ")))
    if card.owner:
        lines.append(turn.t("Owner: {name}", name=card.owner.name))
    if card.legal_entities:
        names = [turn.pt("legal entity and its tax id", "{name} ({tax_id})", name=e.legal_name, tax_id=e.tax_id) if e.tax_id
                 else e.legal_name for e in card.legal_entities]
        lines.append(turn.t("Legal entities: {names}", names="; ".join(names)))
    if card.contacts:
        lines += ["", turn.t("👤 Contacts:")]
        lines += [f"• {p.name}" + (f", {p.role}" if p.role else "") + (f" — {p.phone}" if p.phone else "") for p in card.contacts]
    lines += ["", turn.t("💼 Open deals:") if card.deals else turn.t("💼 No open deals.")]
    lines += [f"• {d.title} — {stage_name(turn, d.stage)}, {money(turn, d.amount, d.currency)}"
              + (f", {turn.t('close by {date}', date=format_date(d.expected_close, turn.lang))}" if d.expected_close else "")
              for d in card.deals]
    lines += ["", turn.t("📦 Open orders:") if card.orders else turn.t("📦 No open orders.")]
    lines += [f"• #{o.number} — {turn.t(status_label(o.status, ORDER))}" + (f", {format_date(o.order_date, turn.lang)}" if o.order_date else "")
              for o in card.orders]
    if card.interactions:
        lines += ["", turn.t("🗒 Latest:")]
        for i in card.interactions:
            what = turn.t(CHANNEL_NAMES.get(i.channel, i.channel)) + (" ←" if i.direction == "in" else "")
            who = card.users.get(i.user_id, "")
            detail = "; ".join(x for x in (turn.t(OUTCOME_LABELS[i.outcome]) if i.outcome in OUTCOME_LABELS else i.outcome,
                                             (i.note or "")[:80]) if x)
            if who:
                what = turn.pt("interaction and who logged it", "{what} ({who})", what=what, who=who)
            lines.append(f"• {format_date(i.occurred_at.astimezone(turn.tz).date(), turn.lang)} {what}"
                         + (f": {detail}" if detail else ""))
    if card.reminders:
        lines += ["", turn.t("⏰ Next:")]
        lines += [f"• {local(turn, r.due_at)} — {r.text}" for r in card.reminders]
    turn.say("\n".join(lines), [
        [Button(turn.t("Log a call"), f"log:start:{c.id}"), Button(turn.t("New deal"), f"deal:start:{c.id}"),
         Button(turn.t("Remind"), f"rem:start:{c.id}")],
        [Button(turn.t("Edit"), f"cc:edit:{c.id}"), Button(turn.t("Add contact"), f"cc:contact:{c.id}"),
         Button(turn.t("Legal entity"), f"cc:legal:{c.id}")],
    ])


# --- creating --------------------------------------------------------------------------------
async def new_customer(turn: Turn) -> None:
    turn.end()
    if turn.args:
        turn.goto(NEW, "phone", name=turn.args.strip())
        turn.say(turn.t("Phone of {name}? Type it, or skip.", name=turn.args.strip()), [[Button(turn.t("Skip"), "cc:skip")]])
        return
    turn.goto(NEW, "name")
    turn.say(turn.t("Name of the new customer?"))


async def new_from_intent(turn: Turn) -> None:
    ent = entities(turn)
    turn.end()
    name = ent.get("customer")
    if not name:
        turn.goto(NEW, "name", phone=ent.get("phone"))
        turn.say(turn.t("Name of the new customer?"))
        return
    turn.goto(NEW, "city", name=name, phone=ent.get("phone"), city="")
    await _create(turn)


async def on_name(turn: Turn) -> None:
    name = (turn.inbound.text or "").strip()
    if "phone" in turn.state:  # came with the intent
        turn.goto(NEW, "city", name=name, city="")
        await _create(turn)
        return
    turn.goto(NEW, "phone", name=name)
    turn.say(turn.t("Phone of {name}? Type it, or skip.", name=name), [[Button(turn.t("Skip"), "cc:skip")]])


async def on_phone(turn: Turn) -> None:
    raw = (turn.inbound.text or "").strip()
    phone = crm.normalise_phone(raw, turn.services.settings.company.country)  # bad phone: clear reply, the step stays
    turn.goto(NEW, "city", phone=phone)
    turn.say(turn.t("City? Type it, or skip."), [[Button(turn.t("Skip"), "cc:skip")]])


async def on_city(turn: Turn) -> None:
    turn.goto(NEW, "city", city=(turn.inbound.text or "").strip())
    await _create(turn)


async def _create(turn: Turn, *, allow_duplicate: bool = False) -> None:
    s = turn.state
    try:
        customer = await crm.create_customer(turn.session, turn.user, name=s.get("name") or "", phone=s.get("phone"),
                                             city=s.get("city"), country=turn.services.settings.company.country,
                                             allow_duplicate=allow_duplicate)
    except Conflict as dup:
        ids = dup.params.get("ids") or []
        if not ids:
            raise
        turn.goto(NEW, "duplicate")
        rows = [[Button(shorten(turn.t("Open {name}", name=(await crm.get_customer(turn.session, i)).name), 60), f"cc:open:{i}")] for i in ids[:3]]
        rows.append([Button(turn.t("Create a new one anyway"), "cc:anyway")])
        turn.say(turn.t("This looks like a customer we already have: {names}.", names=dup.params["names"]), rows)
        return
    dupes = s.get("dupes") or []
    turn.end()
    turn.remember_undo("customer", id=customer.id)
    text = turn.t("Customer {name} ({code}) created.", name=customer.name, code=customer.code)
    if customer.phone:
        text += "\n" + turn.t("Phone: {phone}", phone=customer.phone)
    text += "\n" + turn.t("/undo takes it back.")
    buttons = [[Button(shorten(turn.t("Merge into {name}", name=(await crm.get_customer(turn.session, d)).name), 60),
                       f"cc:mergeask:{customer.id}:{d}")] for d in dupes[:3]]
    buttons.append([Button(turn.t("Open the card"), f"cc:open:{customer.id}"), Button(turn.t("Log a call"), f"log:start:{customer.id}")])
    turn.say(text, buttons, edit=turn.inbound.kind == "callback")


# --- editing, contacts, legal entities, merging --------------------------------------------------
async def on_button(turn: Turn) -> None:
    """cc:open:<id> | cc:skip | cc:anyway | cc:edit:<id> | cc:field:<id>:<field> | cc:contact:<id> | cc:legal:<id>
    | cc:mergeask:<dup>:<survivor> | cc:merge:<dup>:<survivor>"""
    action, _, rest = turn.args.partition(":")
    if action == "open":
        await render_card(turn, await crm.get_customer(turn.session, button_id(rest)))
    # skip and anyway answer the new-customer flow's steps: the router lets them through only as its latest buttons
    elif action == "skip" and turn.conv.step == "phone":
        turn.goto(NEW, "city", phone=None)
        turn.say(turn.t("City? Type it, or skip."), [[Button(turn.t("Skip"), "cc:skip")]], edit=True)
    elif action == "skip" and turn.conv.step == "city":
        turn.goto(NEW, "city", city="")
        await _create(turn)
    elif action == "anyway":
        dupes = await crm.find_duplicates(turn.session, name=turn.state.get("name"), phone=turn.state.get("phone"))
        turn.goto(NEW, "duplicate", dupes=[d.id for d in dupes])
        await _create(turn, allow_duplicate=True)
    elif action == "edit":
        c = await crm.get_customer(turn.session, button_id(rest))
        keys = list(FIELD_LABELS)
        turn.say(turn.t("What should change for {name}?", name=c.name),
                 [[Button(turn.t(FIELD_LABELS[k]), f"cc:field:{c.id}:{k}") for k in keys[:3]],
                  [Button(turn.t(FIELD_LABELS[k]), f"cc:field:{c.id}:{k}") for k in keys[3:]]])
    elif action == "field":
        cid, _, field = rest.partition(":")
        if field not in FIELD_LABELS:  # only the fields the card offers, never any attribute
            raise InvalidInput(N_("That button is no longer valid."))
        c = await start_for_customer(turn, cid, EDIT, "value", field=field)
        current = getattr(c, field, "") or "—"
        turn.say(turn.t("{field} of {name} is now: {value}\nType the new value (a single - clears it).",
                        field=turn.t(FIELD_LABELS.get(field, field)), name=c.name, value=current))
    elif action == "contact":
        c = await start_for_customer(turn, rest, EDIT, "contact")
        turn.say(turn.t("New contact at {name}: type the name, then the phone and role, separated by commas "
                        "(e.g. \u201cAnna Smith, +359888123456, purchasing\u201d).", name=c.name))
    elif action == "legal":
        c = await start_for_customer(turn, rest, EDIT, "legal")
        turn.say(turn.t("Legal entity of {name}: type its registered name and tax id, separated by a comma.", name=c.name))
    elif action == "mergeask":
        dup_id, _, survivor_id = rest.partition(":")
        dup, survivor = await crm.get_customer(turn.session, button_id(dup_id)), await crm.get_customer(turn.session, button_id(survivor_id))
        turn.say(turn.t("Merge {dup} ({dup_code}) into {survivor} ({survivor_code})? Its contacts, interactions, deals and orders "
                        "move to {survivor}.", dup=dup.name, dup_code=dup.code, survivor=survivor.name, survivor_code=survivor.code),
                 [[Button(turn.t("Merge"), f"cc:merge:{dup.id}:{survivor.id}"), Button(turn.t("Cancel"), "cancel:")]])
    elif action == "merge":
        dup_id, _, survivor_id = rest.partition(":")
        survivor = await crm.merge_customers(turn.session, turn.user, survivor_id=button_id(survivor_id), duplicate_id=button_id(dup_id))
        turn.end()
        turn.conv.last_action = None  # a merge is not undone by /undo
        turn.say(turn.t("Merged. Everything is now under {name} ({code}).", name=survivor.name, code=survivor.code), edit=True)
    else:
        turn.say(turn.t("That button is no longer valid."))


async def on_edit_value(turn: Turn) -> None:
    s = turn.state
    value = (turn.inbound.text or "").strip()
    c = await crm.update_customer(turn.session, turn.user, s["customer_id"], s["field"], "" if value == "-" else value,
                                  country=turn.services.settings.company.country)
    turn.end()
    turn.say(turn.t("Saved: {field} of {name} is {value}.", field=turn.t(FIELD_LABELS.get(s["field"], s["field"])), name=c.name,
                    value=getattr(c, s["field"]) or "—"), [[Button(turn.t("Open the card"), f"cc:open:{c.id}")]])


async def on_contact(turn: Turn) -> None:
    parts = split_items(turn.inbound.text or "")  # "Ann, +359..., buyer"; Chinese writes «张三，+86…，采购»
    name, phone, role = (parts + ["", "", ""])[:3]
    contact = await crm.add_contact(turn.session, turn.user, turn.state["customer_id"], name=name, phone=phone or None, role=role or None,
                                    country=turn.services.settings.company.country)
    turn.end()
    added = (turn.t("Contact {name} added ({phone}).", name=contact.name, phone=contact.phone) if contact.phone
             else turn.t("Contact {name} added.", name=contact.name))
    turn.say(added, [[Button(turn.t("Open the card"), f"cc:open:{contact.customer_id}")]])


async def on_legal(turn: Turn) -> None:
    name, tax_id = (split_items(turn.inbound.text or "", maxsplit=1) + [""])[:2]
    cp = await crm.add_counterparty(turn.session, turn.user, turn.state["customer_id"], legal_name=name, tax_id=tax_id.strip() or None)
    turn.end()
    turn.say(turn.t("Legal entity {name} added.", name=cp.legal_name), [[Button(turn.t("Open the card"), f"cc:open:{cp.customer_id}")]])


async def merge(turn: Turn) -> None:
    turn.end()
    turn.goto(MERGE, "customer", role="dup")
    turn.say(turn.t("Which customer is the duplicate (it will be merged away)?"))


@on_customer(MERGE)
async def merge_pick(turn: Turn, customer: Customer) -> None:
    if turn.state.get("role") == "dup":
        turn.goto(MERGE, "customer", role="survivor", dup_id=customer.id)
        turn.say(turn.t("Merge {name} into which customer?", name=customer.name))
        return
    dup = await crm.get_customer(turn.session, turn.state["dup_id"])
    turn.end()
    turn.args = f"mergeask:{dup.id}:{customer.id}"
    await on_button(turn)


async def undo_customer(turn: Turn) -> None:
    name = await crm.delete_new_customer(turn.session, turn.user, turn.undo_id)
    turn.say(turn.t("Undone: customer {name} removed.", name=name))


def register(router: Router) -> None:
    edit = "edit_customers"  # the card is for viewers; changing or merging needs more
    router.declare(
        capability=edit,
        commands={"customer": (Route(show_card, "view_customers"), N_("a customer's card")),
                  "newcustomer": (new_customer, N_("add a customer")),
                  "merge": (merge, N_("merge duplicate customers"))},
        intents={"customer_info": Route(show_card, "view_customers"), "create_customer": new_from_intent},
        steps={CARD: {"customer": customer_step(CARD)},
               NEW: {"name": on_name, "phone": on_phone, "city": on_city},
               EDIT: {"value": on_edit_value, "contact": on_contact, "legal": on_legal},
               MERGE: {"customer": customer_step(MERGE)}},
        callbacks={"cc": Route(on_button, "view_customers", actions={a: edit for a in (
            "skip", "anyway", "edit", "field", "contact", "legal", "mergeask", "merge")})},
        undos={"customer": undo_customer},
    )
