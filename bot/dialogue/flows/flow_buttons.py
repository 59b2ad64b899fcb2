"""Which buttons answer which flow's steps, declared in one place: the router
refuses them outside their flow, and from any message but the flow's latest
buttons at the step they were offered at, before a handler runs
(bot/dialogue/prompts.py asks the question again). A whole prefix, or one action
of a prefix ("log:kind" -- "log:start" from a customer card starts the flow anywhere).
Buttons that start something (an order to pick, a customer's card, a reminder's
snooze) are not listed: they are valid wherever they are pressed."""
from __future__ import annotations

from ..router import Router

FLOW_BUTTONS = {
    "pick": ("pick_qty", "pick_short"),
    "receive": ("recv_done", "recv_book"),
    "count": ("count_done", "count_nolot"),
    "import": ("imp_kind", "imp_ok"),
    "order": ("cust:order", "order_prod", "order_done", "order_day", "order_ok"),
    "log": ("log:kind", "log:out", "log:note", "cust:log"),
    "card": ("cust:card",),
    "newcust": ("cc:skip", "cc:anyway"),
    "merge": ("cust:merge",),
    "deal": ("deal:close", "cust:deal"),
    "dealmove": ("deal:pick", "cust:dealmove"),
    "rem": ("rem:at",),
    "mailing": ("ml:g",),
    "*": ("scan",),  # which code of a photo: the buttons of whatever flow asked
}


def register(router: Router) -> None:
    for flow, prefixes in FLOW_BUTTONS.items():
        missing = [p for p in prefixes if p.partition(":")[0] not in router.callbacks]
        if missing:  # a renamed button must be renamed here too
            raise ValueError(f"flow {flow!r} declares unknown buttons {missing}")
        router.flow_buttons(flow, *prefixes)
