"""Where each kind of input goes. Flow modules register their handlers here:

    def register(router: Router) -> None:
        router.command("help", help=N_("what you can do"))(show_help)
        router.intent("order_status", capability="view_orders")(order_status)
        router.step("pick", "scan_bin")(on_bin_scanned)
        router.callback("deal", capability="manage_deals")(on_deal_button)
        router.undo("interaction")(undo_interaction)
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
        self.patterns: list[tuple[Matcher, Route]] = []
        # button prefix -> the flow whose step it answers: refused outside that flow or from an earlier message
        self.callback_flows: dict[str, str] = {}
        self.expectations: dict[str, Callable[["Turn"], Awaitable[list[str]]]] = {}

    def _register(self, table: dict[str, Route], key: str, capability: str | None, cost: str | None = None):
        def deco(fn: Handler) -> Handler:
            if key in table:
                raise ValueError(f"duplicate route {key!r}")
            table[key] = Route(fn, capability, cost)
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

    def callback(self, prefix: str, *, capability: str | None = None, cost: str | None = None):
        return self._register(self.callbacks, prefix, capability, cost)

    def flow_buttons(self, flow: str, *prefixes: str) -> None:
        """Declares which buttons answer a flow's steps (the router refuses them anywhere else)."""
        for prefix in prefixes:
            if self.callback_flows.get(prefix, flow) != flow:
                raise ValueError(f"button {prefix!r} already belongs to flow {self.callback_flows[prefix]!r}")
            self.callback_flows[prefix] = flow

    def expects(self, flow: str):
        """Names a voice note in this flow is likely to contain (the bin and product asked for...):
        speech recognition is biased towards them first."""
        def deco(fn: Callable[["Turn"], Awaitable[list[str]]]):
            self.expectations[flow] = fn
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
