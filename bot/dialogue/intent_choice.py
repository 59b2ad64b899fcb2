"""When the NLU is unsure, offer its two or three likeliest readings instead of guessing;
the one pressed carries on with the original message, and the choice is kept
(domain/nlu_corrections.py) so the classifiers can learn it."""
from __future__ import annotations

from domain import nlu_corrections
from domain.errors import N_

from .messages import Button
from .turn import Turn

# Short labels for the buttons, per intent (marked for the catalogs, translated when shown).
INTENT_LABELS = {
    "log_interaction": N_("Log a call or meeting"),
    "create_deal": N_("New deal"),
    "update_deal": N_("Update a deal"),
    "create_customer": N_("New customer"),
    "customer_info": N_("Customer card"),
    "create_order": N_("New order"),
    "order_status": N_("Order status"),
    "check_stock": N_("Check stock"),
    "receive_stock": N_("Receive goods"),
    "move_stock": N_("Move stock"),
    "start_picking": N_("Pick an order"),
    "count_stock": N_("Count a bin"),
    "replenishment_plan": N_("Reorder plan"),
    "create_reminder": N_("Set a reminder"),
    "list_tasks": N_("My list"),
    "sales_report": N_("Sales report"),
    "send_mailing": N_("SMS mailing"),
    "help": N_("Help"),
    "cancel": N_("Cancel"),
}


_PENDING = ("pending_text", "pending_lang", "pending_offered")


def offer_choice(turn: Turn, text: str, options: list[tuple[str, float]], lang: str = "") -> None:
    # the message waits in the conversation until a button is pressed (it survives a restart)
    turn.conv.data = {**turn.state, "pending_text": text, "pending_lang": lang,
                      "pending_offered": [[name, round(float(score), 4)] for name, score in options]}
    buttons = [[Button(turn.t(INTENT_LABELS.get(name, name)), f"intent:{name}")] for name, _ in options]
    buttons.append([Button(turn.t("Neither"), "intent:")])
    turn.say(turn.t("I'm not sure what you mean. Is it one of these?"), buttons)


def typed_choice(turn: Turn, text: str) -> str | None:
    """A number typed under the offered readings ("2", as the buttons are numbered on screen) picks
    that reading, the one after them "Neither" (""); None when the text is no such number."""
    offered = turn.state.get("pending_offered") or []
    word = text.strip().lstrip("#")
    if not offered or not word.isdigit():
        return None
    k = int(word)
    if 1 <= k <= len(offered):
        return offered[k - 1][0]
    return "" if k == len(offered) + 1 else None


async def on_choice(turn: Turn) -> None:
    text = turn.state.get("pending_text")
    intent = turn.args
    offered = turn.state.get("pending_offered") or []
    lang = turn.state.get("pending_lang") or ""
    data = {k: v for k, v in turn.state.items() if k not in _PENDING}
    if not text:
        turn.say(turn.t("That button is no longer valid."), edit=True)
        return
    turn.conv.data = data
    if not intent:
        turn.say(turn.t("OK. Tell me in other words, or send /help."), edit=True)
        return
    if intent not in {name for name, _ in offered} and offered:
        turn.say(turn.t("That button is no longer valid."), edit=True)
        return
    await nlu_corrections.record(turn.session, turn.user, text=text, lang=lang, intent=intent,
                                 offered=[tuple(o) for o in offered])
    await turn.dialogue.run_intent(turn, intent, text)
