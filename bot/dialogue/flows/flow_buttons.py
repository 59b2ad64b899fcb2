"""Which buttons answer which flow's steps, declared in one place: the router
refuses them outside their flow, and from any message but the flow's latest
buttons, before a handler runs (bot/dialogue/prompts.py asks the question again).
Buttons that start something (an order to pick, a customer's card, a reminder's
snooze) are not listed: they are valid wherever they are pressed."""
from __future__ import annotations

from ..router import Router

FLOW_BUTTONS = {
    "pick": ("pick_qty", "pick_short"),
    "receive": ("recv_done", "recv_book"),
    "count": ("count_done",),
    "import": ("imp_kind", "imp_ok"),
    "order": ("order_cust", "order_prod", "order_done", "order_day", "order_ok"),
}


def register(router: Router) -> None:
    for flow, prefixes in FLOW_BUTTONS.items():
        missing = [p for p in prefixes if p not in router.callbacks]
        if missing:  # a renamed button must be renamed here too
            raise ValueError(f"flow {flow!r} declares unknown buttons {missing}")
        router.flow_buttons(flow, *prefixes)
