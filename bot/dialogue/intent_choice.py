"""When the NLU is unsure, offer the two likeliest actions instead of guessing."""
from __future__ import annotations

from .messages import Button
from .turn import Turn

# Short labels for the buttons, per intent (templates, translated when shown).
INTENT_LABELS = {
    "log_interaction": "Log a call or meeting",
    "create_deal": "New deal",
    "update_deal": "Update a deal",
    "create_customer": "New customer",
    "customer_info": "Customer card",
    "create_order": "New order",
    "order_status": "Order status",
    "check_stock": "Check stock",
    "receive_stock": "Receive goods",
    "move_stock": "Move stock",
    "start_picking": "Pick an order",
    "count_stock": "Count a bin",
    "replenishment_plan": "Reorder plan",
    "create_reminder": "Set a reminder",
    "list_tasks": "My list",
    "sales_report": "Sales report",
    "send_mailing": "SMS mailing",
    "help": "Help",
    "cancel": "Cancel",
}


def offer_choice(turn: Turn, text: str, intents: list[str]) -> None:
    turn.state["pending_text"] = text
    turn.conv.data = dict(turn.state)
    buttons = [[Button(turn.t(INTENT_LABELS.get(name, name)), f"intent:{name}")] for name in intents]
    buttons.append([Button(turn.t("Neither"), "intent:")])
    turn.say(turn.t("I'm not sure what you mean. Is it one of these?"), buttons)


async def on_choice(turn: Turn) -> None:
    text = turn.state.get("pending_text")
    intent = turn.args
    if not intent or not text:
        turn.say(turn.t("OK. Tell me in other words, or send /help."), edit=True)
        return
    data = dict(turn.state)
    data.pop("pending_text", None)
    turn.conv.data = data
    await turn.dialogue.run_intent(turn, intent, text)
