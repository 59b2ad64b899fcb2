"""Logging a call, meeting, SMS or e-mail right after it happened.

    /log [customer]  -> customer -> kind (buttons) -> outcome (buttons) -> note -> saved
    "called Acme, they want 50 chairs, call back Friday"  (log_interaction intent)
      -> saved at once with the message as the note; the follow-up date makes a reminder
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.crm import interactions as crm_interactions
from domain.crm import reminders as crm_reminders
from domain.errors import InvalidInput, N_, Npt_
from domain.crm.customers import get_customer
from domain.models import Interaction

from ..messages import Button
from ..router import Route, Router
from ..turn import Turn, button_id
from .crm_common import ask_missing, choose_customer, customer_step, entities, entity_when, note_customer, on_customer_button, when_phrase

FLOW = "log"
KINDS = {  # button -> (channel, direction)
    "call_out": ("call", "out"), "call_in": ("call", "in"), "meeting": ("meeting", "out"), "sms": ("sms", "out"),
    "email": ("email", "out"),
}
KIND_LABELS = {"call_out": N_("Call (outgoing)"), "call_in": N_("Call (incoming)"), "meeting": N_("Meeting"), "sms": N_("SMS"),
               "email": N_("E-mail")}
OUTCOME_LABELS = {"interested": N_("Interested"), "ordered": Npt_("call outcome", "Ordered"), "no answer": N_("No answer"),
                  "call back": N_("Call back"), "sent offer": N_("Sent offer"), "not interested": N_("Not interested")}
CHANNEL_NAMES = {"call": N_("call"), "meeting": N_("meeting"), "sms": N_("SMS"), "email": N_("e-mail")}


async def start(turn: Turn) -> None:
    turn.end()
    await choose_customer(turn, turn.args, flow=FLOW)


async def from_intent(turn: Turn) -> None:
    """Everything comes from the one message: nothing more is asked unless the customer is unclear."""
    ent = entities(turn)
    text = (turn.inbound.text or "").strip()
    turn.end()
    follow_up = entity_when(turn, ent, default_hour=10)
    if follow_up is not None and follow_up <= turn.services.clock():
        # "met Acme today" names the day it happened, not a follow-up (10:00 today may be past):
        # logged without one, and the follow-up buttons offer it
        follow_up = None
    data = {"channel": ent.get("channel") if ent.get("channel") in ("call", "meeting", "email", "sms") else "call",
            "direction": "out", "outcome": "", "note": ent.get("note") or text}
    if follow_up is not None:
        data["follow_up"] = follow_up.isoformat()
    await choose_customer(turn, ent.get("customer"), flow=FLOW, **data)


def _ask_kind(turn: Turn) -> None:
    keys = list(KINDS)
    turn.say(turn.t("{customer}: what was it?", customer=turn.state["customer_name"]),
             [[Button(turn.t(KIND_LABELS[k]), f"log:kind:{k}") for k in keys[:2]],
              [Button(turn.t(KIND_LABELS[k]), f"log:kind:{k}") for k in keys[2:]]])


def _ask_outcome(turn: Turn) -> None:
    keys = list(OUTCOME_LABELS)
    turn.say(turn.t("How did it go?"),
             [[Button(turn.t(OUTCOME_LABELS[k]), f"log:out:{i}") for i, k in enumerate(keys[:3])],
              [Button(turn.t(OUTCOME_LABELS[k]), f"log:out:{i + 3}") for i, k in enumerate(keys[3:])],
              [Button(turn.t("Skip"), "log:out:-")]], edit=True)


def _ask_note(turn: Turn) -> None:
    turn.say(turn.t("Any notes? Type them, or skip."), [[Button(turn.t("Skip"), "log:note:-")]], edit=True)


async def _save(turn: Turn) -> None:
    s, now = turn.state, turn.services.clock()
    follow_up = datetime.fromisoformat(s["follow_up"]) if s.get("follow_up") else None
    interaction, reminder = await crm_interactions.log_interaction(
        turn.session, turn.user, customer_id=s["customer_id"], channel=s["channel"], direction=s.get("direction", "out"),
        outcome=s.get("outcome") or None, note=s.get("note") or None, occurred_at=now, now=now, follow_up_at=follow_up,
        follow_up_text=turn.t("Call back {customer}", customer=s["customer_name"]) if follow_up else None)
    turn.end()
    turn.remember_undo("interaction", id=interaction.id)
    # a label with the kind of thing as context: the word agrees with "call" but not "meeting" in bg/ro
    direction = (turn.pt("interaction direction", "incoming") if interaction.direction == "in"
                 else turn.pt("interaction direction", "outgoing"))
    lines = [turn.t("Logged: {kind} ({direction}) with {customer}.", kind=turn.t(CHANNEL_NAMES[interaction.channel]),
                    direction=direction, customer=s["customer_name"])]
    if interaction.outcome:
        lines.append(turn.t("Outcome: {outcome}", outcome=turn.t(OUTCOME_LABELS.get(interaction.outcome, interaction.outcome))))
    if interaction.note:
        lines.append(turn.t("Note: {note}", note=interaction.note))
    buttons = []
    if reminder is not None:
        lines.append(turn.t("I'll remind you {when}.", when=when_phrase(turn, reminder.due_at)))
    else:
        buttons = [[Button(turn.t("Remind me tomorrow"), f"log:fu:{interaction.id}:1"),
                    Button(turn.t("In 3 days"), f"log:fu:{interaction.id}:3"),
                    Button(turn.t("Next week"), f"log:fu:{interaction.id}:7")]]
    lines.append(turn.t("/undo takes it back."))
    turn.say("\n".join(lines), buttons, edit=turn.inbound.kind == "callback")


_next = ask_missing(FLOW, [("channel", "kind", _ask_kind), ("outcome", "outcome", _ask_outcome), ("note", "note", _ask_note)],
                    then=_save)
with_customer = note_customer(FLOW, _next)


async def on_kind_text(turn: Turn) -> None:
    word = (turn.inbound.text or "").strip().lower()
    kind = next((k for k in KINDS if word and (word in k or word in turn.t(KIND_LABELS[k]).lower())), None)
    if kind is None:
        turn.say(turn.t("Please choose one of the buttons, or /cancel."))
        return
    channel, direction = KINDS[kind]
    turn.goto(FLOW, "kind", channel=channel, direction=direction)
    await _next(turn)


async def on_outcome_text(turn: Turn) -> None:
    turn.goto(FLOW, "outcome", outcome=(turn.inbound.text or "").strip()[:100])
    await _next(turn)


async def on_note(turn: Turn) -> None:
    turn.goto(FLOW, "note", note=(turn.inbound.text or "").strip())
    await _save(turn)


async def on_button(turn: Turn) -> None:
    """log:kind:<k> | log:out:<i|-> | log:note:- | log:fu:<interaction>:<days> | log:start:<customer>"""
    action, _, rest = turn.args.partition(":")
    if action == "start":
        turn.end()
        await with_customer(turn, await get_customer(turn.session, button_id(rest)))
        return
    if action == "fu":
        await _follow_up(turn, rest)
        return
    # kind, out and note answer the log flow's steps: the router lets them through only as its latest buttons
    if action == "kind" and rest in KINDS:
        channel, direction = KINDS[rest]
        turn.goto(FLOW, "kind", channel=channel, direction=direction)
    elif action == "out":
        keys = list(OUTCOME_LABELS)
        turn.goto(FLOW, "outcome", outcome="" if rest == "-" else keys[button_id(rest, 0, len(keys) - 1)])
    elif action == "note":
        turn.goto(FLOW, "note", note="")
    else:
        raise InvalidInput(N_("That button is no longer valid."))
    await _next(turn)


async def _follow_up(turn: Turn, rest: str) -> None:
    interaction_id, _, days = rest.partition(":")
    interaction = await turn.session.get(Interaction, button_id(interaction_id))
    if interaction is None or interaction.user_id != turn.user.id:
        turn.say(turn.t("That button is no longer valid."))
        return
    customer = await get_customer(turn.session, interaction.customer_id)
    local_now = turn.now()
    due = datetime.combine(local_now.date() + timedelta(days=button_id(days, 0, 366)), time(10), turn.tz)
    reminder = await crm_reminders.create_reminder(turn.session, turn.user, text=turn.t("Follow up with {customer}", customer=customer.name),
                                                   due_at=due, now=turn.services.clock(), customer_id=customer.id,
                                                   interaction_id=interaction.id)
    turn.remember_undo("reminder", id=reminder.id)
    turn.say(turn.t("OK, I'll remind you {when} to follow up with {customer}.", when=when_phrase(turn, due), customer=customer.name))


async def undo_interaction(turn: Turn) -> None:
    interaction = await crm_interactions.undo_interaction(turn.session, turn.user, turn.undo_id)
    turn.say(turn.t("Undone: the {kind} is no longer logged.", kind=turn.t(CHANNEL_NAMES.get(interaction.channel, interaction.channel))))


def register(router: Router) -> None:
    router.declare(
        capability="log_interaction",
        commands={"log": (start, N_("log a call, meeting, SMS or e-mail"))},
        intents={"log_interaction": from_intent},
        steps={FLOW: {"customer": customer_step(FLOW), "kind": on_kind_text, "outcome": on_outcome_text, "note": on_note}},
        callbacks={"log": on_button, "cust": Route(on_customer_button, "view_customers")},
        undos={"interaction": undo_interaction},
    )
