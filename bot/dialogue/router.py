"""Where each kind of input goes. Flow modules register their handlers here, as tables:

    def register(router: Router) -> None:
        router.declare(
            capability="manage_orders",  # what every entry needs, unless it is a Route saying its own
            commands={"order": (start_order, N_("create a sales order")), "confirm": confirm_cmd,
                      "status": (Route(order_status, "view_orders"), N_("status of an order: /status 1042"))},
            intents={"create_order": order_intent},
            steps={"order": {"lines": on_line_text, "delivery": on_delivery_text}},
            callbacks={"order_ok": on_confirm_button},
            undos={"order": undo_order},
        )
        router.expects("pick")(names_the_pick_asks_for)
        router.pattern("history", matches_history, capability="view_history")(history_from_text)

A pattern is a fixed phrasing recognised before the NLU ("who changed order 1042?"):
for requests the trained intents don't cover.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .turn import Turn

Handler = Callable[["Turn"], Awaitable[None]]
Matcher = Callable[[str], bool]


@dataclass(frozen=True)
class Route:
    handler: Handler
    capability: str | None = None  # checked before the handler runs (domain also checks)
    cost: str | None = None  # a rate-limited kind of work (bot/ratelimits.py), counted before the handler runs
    # a button's action (the payload's first part after the prefix) -> the capability it needs on top
    actions: dict[str, str] | None = None


@dataclass(frozen=True)
class HelpEntry:
    command: str
    text: str  # template, translated when shown
    capability: str | None


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.intents: dict[str, Route] = {}
        self.steps: dict[str, Route] = {}
        self.callbacks: dict[str, Route] = {}
        self.undos: dict[str, Handler] = {}
        self.help: list[HelpEntry] = []
        self.help_texts: dict[tuple, str] = {}  # /help's list per language and role, made once (flows/basics.py)
        self.patterns: list[tuple[Matcher, Route]] = []
        # button prefix -> the flow whose step it answers: refused outside that flow or from an earlier message
        self.callback_flows: dict[str, str] = {}
        self.expectations: dict[str, Callable[["Turn"], Awaitable[list[str]]]] = {}
        # flow -> what leaving it now would lose (or leave open), in words; None when nothing
        self.unsaved: dict[str, Callable[["Turn", dict], Awaitable[str | None]]] = {}
        # "flow.step" whose answer is a code or number / never a question; flow -> its name (flows/flow_steps.py)
        self.code_steps: set[str] = set()
        self.question_steps: set[str] = set()
        self.flow_names: dict[str, str] = {}

    def _register(self, table: dict[str, Route], key: str, capability: str | None, cost: str | None = None,
                  actions: dict[str, str] | None = None):
        def deco(fn: Handler) -> Handler:
            if key in table:
                raise ValueError(f"duplicate route {key!r}")
            table[key] = Route(fn, capability, cost, actions)
            return fn

        return deco

    def command(self, name: str, *, help: str | None = None, capability: str | None = None, cost: str | None = None):
        if help:
            self.help.append(HelpEntry(name, help, capability))
        return self._register(self.commands, name, capability, cost)

    def intent(self, name: str, *, capability: str | None = None, cost: str | None = None):
        return self._register(self.intents, name, capability, cost)

    def step(self, flow: str, step: str):
        return self._register(self.steps, f"{flow}.{step}", None)

    def callback(self, prefix: str, *, capability: str | None = None, cost: str | None = None,
                 actions: dict[str, str] | None = None):
        """actions: {"merge": "edit_customers"} -- the payload `prefix:merge:...` needs that capability too."""
        return self._register(self.callbacks, prefix, capability, cost, actions)

    def declare(self, capability: str | None = None, *, cost: str | None = None, commands: dict | None = None,
                intents: dict | None = None, steps: dict[str, dict[str, Handler]] | None = None,
                callbacks: dict | None = None, undos: dict[str, Handler] | None = None) -> None:
        """Registers a flow's routes from tables, in their order. A value is the handler, needing
        `capability` and counted as `cost`; a Route instead says its own. A command's value may be
        paired with its line in /help: (handler or Route, help text). Steps: flow -> step -> handler."""
        def route(value) -> Route:
            return value if isinstance(value, Route) else Route(value, capability, cost)

        for name, value in (commands or {}).items():
            value, help = value if isinstance(value, tuple) else (value, None)
            r = route(value)
            self.command(name, help=help, capability=r.capability, cost=r.cost)(r.handler)
        for name, value in (intents or {}).items():
            r = route(value)
            self.intent(name, capability=r.capability, cost=r.cost)(r.handler)
        for flow, handlers in (steps or {}).items():
            for step, handler in handlers.items():
                self.step(flow, step)(handler)
        for prefix, value in (callbacks or {}).items():
            r = route(value)
            self.callback(prefix, capability=r.capability, cost=r.cost, actions=r.actions)(r.handler)
        for kind, handler in (undos or {}).items():
            self.undo(kind)(handler)

    def flow_buttons(self, flow: str, *prefixes: str) -> None:
        """Declares which buttons answer a flow's steps (the router refuses them anywhere else):
        a whole prefix ("pick_qty") or one action of a prefix ("log:kind"). Flow "*": the
        buttons of whatever flow is on (a photo's "which code?")."""
        for prefix in prefixes:
            if self.callback_flows.get(prefix, flow) != flow:
                raise ValueError(f"button {prefix!r} already belongs to flow {self.callback_flows[prefix]!r}")
            self.callback_flows[prefix] = flow

    def flow_of(self, data: str) -> str | None:
        """The flow a button's payload answers, or None for a button that starts something."""
        prefix, _, rest = data.partition(":")
        return self.callback_flows.get(f"{prefix}:{rest.partition(':')[0]}") or self.callback_flows.get(prefix)

    def expects(self, flow: str):
        """Names a voice note in this flow is likely to contain (the bin and product asked for...):
        speech recognition is biased towards them first."""
        def deco(fn: Callable[["Turn"], Awaitable[list[str]]]):
            self.expectations[flow] = fn
            return fn

        return deco

    def leaving(self, flow: str):
        """Says what leaving `flow` mid-way loses: a command, /cancel or another flow's button then
        tells the person, instead of dropping their work without a word."""
        def deco(fn: Callable[["Turn", dict], Awaitable[str | None]]):
            self.unsaved[flow] = fn
            return fn

        return deco

    def pattern(self, name: str, matches: Matcher, *, capability: str | None = None):
        def deco(fn: Handler) -> Handler:
            self.patterns.append((matches, Route(fn, capability)))
            return fn

        return deco

    def undo(self, kind: str):
        def deco(fn: Handler) -> Handler:
            self.undos[kind] = fn
            return fn

        return deco
