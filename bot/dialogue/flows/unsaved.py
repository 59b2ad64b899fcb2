"""What leaving a flow mid-way loses, or leaves open, in the person's words.

A command, /cancel or a button that starts something else while a flow waits for
an answer must not drop the person's work without a word (the engine says this
before the new flow's first question). Work kept in the database (a pick, a
count) stays open and is resumed; work kept only in the conversation is named,
so it can be typed again."""
from __future__ import annotations

from decimal import Decimal

from domain.models import CountTask, Location

from ...formatting import format_number

from ..router import Router
from ..turn import Turn


def _items(lines: list[str]) -> str:
    return "; ".join(lines[:6]) + ("; \u2026" if len(lines) > 6 else "")


async def order(turn: Turn, s: dict) -> str | None:
    if not s.get("customer_name"):
        return None
    def n(qty: str) -> str:
        return format_number(Decimal(qty), turn.lang)

    lines = [f"{n(ln['qty'])} {ln['unit']} {ln['name']}" for ln in s.get("lines") or []]
    if s.get("unresolved"):
        lines.append(f"{n(s['unresolved']['qty'])} \u201c{s['unresolved']['text']}\u201d")
    if not lines:
        return turn.t("The new order for {customer} was not saved.", customer=s["customer_name"])
    return turn.t("The new order for {customer} was not saved: {lines}. /order starts it again.",
                  customer=s["customer_name"], lines=_items(lines))


async def receive(turn: Turn, s: dict) -> str | None:
    lines = [f"{format_number(Decimal(ln['quantity']), turn.lang)} \u00d7 {ln['sku']}" for ln in s.get("lines") or []]
    if s.get("pending"):
        lines.append(s["pending"]["sku"])
    if not lines:
        return None
    return turn.t("The goods you scanned were not booked: {lines}. /receive starts again.", lines=_items(lines))


async def move(turn: Turn, s: dict) -> str | None:
    if not s.get("from_bin"):
        return None
    return turn.t("The move from {bin} was not done; nothing moved.", bin=s["from_bin"])


async def count(turn: Turn, s: dict) -> str | None:
    task = await turn.session.get(CountTask, s["count_task_id"]) if s.get("count_task_id") else None
    if task is None or task.status != "counting":
        return None
    loc = await turn.session.get(Location, task.location_id)
    return turn.t("Your count of {bin} stays open: /count {bin} carries on.", bin=loc.code)


async def pick(turn: Turn, s: dict) -> str | None:
    return turn.t("Your pick stays open: /pick carries on.") if s.get("pick_list_id") else None


async def log(turn: Turn, s: dict) -> str | None:
    if not s.get("customer_name"):
        return None
    return turn.t("Nothing was logged for {customer}.", customer=s["customer_name"])


async def deal(turn: Turn, s: dict) -> str | None:
    if not s.get("customer_name"):
        return None
    return turn.t("The deal with {customer} was not saved.", customer=s["customer_name"])


async def reminder(turn: Turn, s: dict) -> str | None:
    if not s.get("text"):
        return None
    return turn.t("The reminder \u201c{text}\u201d was not set.", text=s["text"][:80])


async def new_customer(turn: Turn, s: dict) -> str | None:
    if not s.get("name"):
        return None
    return turn.t("Customer {name} was not created.", name=s["name"][:80])


async def upload(turn: Turn, s: dict) -> str | None:
    if not s.get("filename"):
        return None
    return turn.t("{name} was not imported.", name=s["filename"][:80])


def register(router: Router) -> None:
    for flow, fn in (("order", order), ("receive", receive), ("move", move), ("count", count), ("pick", pick),
                     ("log", log), ("deal", deal), ("rem", reminder), ("newcust", new_customer), ("import", upload)):
        router.leaving(flow)(fn)
