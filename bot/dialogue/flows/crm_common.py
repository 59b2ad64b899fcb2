"""Pieces the sales flows share: finding the customer meant, reading dates and
times people type, and formatting money and times for a phone screen.

Customer choice: a flow registers its continuation with `on_customer(flow)` and
calls `choose_customer(turn, query, flow=...)`; when the answer is clear the
continuation runs at once, otherwise the person gets buttons (`cust:<flow>:<id>`,
or `cust:<flow>:new` to create one) and it runs when one is pressed, or when a
clear name is typed at the flow's "customer" step (`customer_step(flow)`)."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import dateparser

from domain.crm import customers as crm_customers
from domain.errors import InvalidInput, N_
from domain.models import Customer

from domain.status_labels import DEAL, status_label

from ...formatting import format_amount, format_date, format_datetime, format_money, format_time, shorten
from ..messages import Button
from ..turn import Turn, button_id

Continuation = Callable[[Turn, Customer], Awaitable[None]]
_CONTINUE: dict[str, Continuation] = {}
_NO_CREATE: set[str] = set()  # flows that take only a customer the office already has


def on_customer(flow: str, *, offer_create: bool = True):
    def deco(fn: Continuation) -> Continuation:
        _CONTINUE[flow] = fn
        if not offer_create:
            _NO_CREATE.add(flow)
        return fn

    return deco


async def choose_customer(turn: Turn, query: str | None, *, flow: str, **state: Any) -> None:
    """Wait at `flow`'s customer step (its state merged with `state`) and go on with the
    flow's continuation as soon as `query` names one customer clearly."""
    turn.goto(flow, "customer", **state)
    customer = await resolve_customer(turn, query, flow=flow)
    if customer is not None:
        await _CONTINUE[flow](turn, customer)


def note_customer(flow: str, then: Callable[[Turn], Awaitable[None]]) -> Continuation:
    """The continuation of a flow that needs only the customer in its state: note it there, then `then`."""
    @on_customer(flow)
    async def with_customer(turn: Turn, customer: Customer) -> None:
        turn.goto(flow, "customer", customer_id=customer.id, customer_name=customer.name)
        await then(turn)

    return with_customer


async def start_for_customer(turn: Turn, customer_id: str, flow: str, step: str, **state: Any) -> Customer:
    """A customer card's button starts `flow` at `step` for that customer, ending what was on."""
    customer = await crm_customers.get_customer(turn.session, button_id(customer_id))
    turn.end()
    turn.goto(flow, step, customer_id=customer.id, **state)
    return customer


Question = tuple[str, str, Callable[[Turn], None]]  # (state key it fills, step that waits for it, ask)


def ask_missing(flow: str, questions: list[Question], then: Callable[[Turn], Awaitable[None]]) -> Callable[[Turn], Awaitable[None]]:
    """A flow's way on after the customer and after each answer: ask the first question whose
    answer the state lacks (waiting at its step), or `then` once every answer is in."""
    async def next_question(turn: Turn) -> None:
        for key, step, ask in questions:
            if key not in turn.state:
                turn.goto(flow, step)
                ask(turn)
                return
        await then(turn)

    return next_question


def customer_step(flow: str) -> Callable[[Turn], Awaitable[None]]:
    """The handler of `flow`'s "customer" step: the typed answer to "which customer?"."""
    async def on_customer_text(turn: Turn) -> None:
        await choose_customer(turn, turn.inbound.text, flow=flow)

    return on_customer_text


async def resolve_customer(turn: Turn, query: str | None, *, flow: str, step: str = "customer") -> Customer | None:
    """The customer `query` names, or None after asking (buttons / "who?" / offer to create)."""
    query = (query or "").strip()
    if not query:
        turn.goto(flow, step)
        turn.say(turn.t("Which customer? Type a name, code or contact person."))
        return None
    matches = await crm_customers.find_customers(turn.session, query)
    chosen = crm_customers.clear_choice(matches)
    if chosen is not None:
        return chosen
    turn.goto(flow, step, customer_query=query)
    rows = [[Button(_label(m), f"cust:{flow}:{m.customer.id}")] for m in matches]
    if flow in _NO_CREATE:
        if not matches:
            turn.say(turn.t("I found no customer like \u201c{text}\u201d. Try another spelling, or /cancel.", text=query))
        else:
            turn.say(turn.t("Which customer do you mean?"), rows + [[Button(turn.t("Cancel"), "cancel:")]])
        return None
    if not matches:
        turn.say(turn.t("I don't know a customer called \u201c{query}\u201d. Create it, or type the name again.", query=query),
                 [[Button(turn.t("Create \u201c{query}\u201d", query=query[:40]), f"cust:{flow}:new")],
                  [Button(turn.t("Cancel"), "cancel:")]])
        return None
    rows.append([Button(turn.t("None of these: create \u201c{query}\u201d", query=query[:30]), f"cust:{flow}:new")])
    turn.say(turn.t("Which one do you mean?"), rows)
    return None


def _label(match: crm_customers.Match) -> str:
    c = match.customer
    extra = f" — {match.via}" if match.via not in (c.name, c.code) else ""
    city = f", {c.city}" if c.city else ""
    return shorten(f"{c.name}{city}{extra}", 60)


async def on_customer_button(turn: Turn) -> None:
    """cust:<flow>:<id|new>"""
    flow, _, choice = turn.args.partition(":")
    cont = _CONTINUE.get(flow)  # the router lets it through only as that flow's latest button
    if cont is None:
        raise InvalidInput(N_("That button is no longer valid."))
    if choice == "new":
        if flow in _NO_CREATE:
            raise InvalidInput(N_("That button is no longer valid."))
        name = turn.state.get("customer_query") or ""
        customer = await crm_customers.create_customer(turn.session, turn.user, name=name, country=turn.services.settings.company.country,
                                                       allow_duplicate=True)
        turn.say(turn.t("New customer {name} ({code}) created. Add phone and contacts later from its card.",
                        name=customer.name, code=customer.code), edit=True)
    else:
        customer = await crm_customers.get_customer(turn.session, button_id(choice))
    await cont(turn, customer)


# --- dates and times ------------------------------------------------------------------
_HAS_TIME = re.compile(r"\d{1,2}[:.h]\d{2}|\d\s*(am|pm)\b|\b(at|в|la|в\s+\d|um)\s*\d|\bin\s+\d+\s*(h|hour|min)|через", re.IGNORECASE)
_LANGS = {"en": ["en"], "ru": ["ru", "en"], "bg": ["bg", "en"], "ro": ["ro", "en"], "zh": ["zh", "en"]}


def parse_when(turn: Turn, text: str, *, default_hour: int = 9) -> datetime | None:
    """A moment the person typed ("tomorrow 10:00", "Friday", "25.11 14:30"), in their time zone.
    A day without a time of day means `default_hour` o'clock."""
    text = (text or "").strip()
    if not text:
        return None
    now = turn.now()
    parsed = dateparser.parse(text, languages=_LANGS.get(turn.lang, ["en"]),
                              settings={"PREFER_DATES_FROM": "future", "TIMEZONE": str(turn.tz), "RETURN_AS_TIMEZONE_AWARE": True,
                                        "RELATIVE_BASE": now.replace(tzinfo=None)})
    if parsed is None:
        return None
    parsed = parsed.astimezone(turn.tz)
    if not _HAS_TIME.search(text):
        parsed = datetime.combine(parsed.date(), time(default_hour), turn.tz)
    return parsed


def parse_day(turn: Turn, text: str) -> date | None:
    when = parse_when(turn, text)
    return when.date() if when else None


def entity_when(turn: Turn, entities: dict[str, Any], *, default_hour: int = 9) -> datetime | None:
    """The nlu's datetime (ISO with offset) or date entity as an aware datetime."""
    if entities.get("datetime"):
        value = datetime.fromisoformat(str(entities["datetime"]))
        return value if value.tzinfo else value.replace(tzinfo=turn.tz)
    if entities.get("date"):
        return datetime.combine(date.fromisoformat(str(entities["date"])[:10]), time(default_hour), turn.tz)
    return None


def entity_day(entities: dict[str, Any]) -> date | None:
    if entities.get("date"):
        return date.fromisoformat(str(entities["date"])[:10])
    if entities.get("datetime"):
        return datetime.fromisoformat(str(entities["datetime"])).date()
    return None


def require_when(turn: Turn, text: str) -> datetime:
    when = parse_when(turn, text)
    if when is None:
        raise InvalidInput(N_("I can't read \u201c{text}\u201d as a date or time. Try \u201ctomorrow 10:00\u201d or \u201c25.11 14:30\u201d."),
                           text=text)
    return when


def entities(turn: Turn) -> dict[str, Any]:
    return dict(getattr(turn.parsed, "entities", None) or {})


# --- formatting -------------------------------------------------------------------------
def money(turn: Turn, amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    try:
        return format_money(amount, currency, turn.lang)
    except Exception:  # an odd currency code: the number in the person's format, then the code
        return f"{format_amount(amount, turn.lang)} {currency}"


def local(turn: Turn, when: datetime | None, *, with_day: bool = True) -> str:
    if when is None:
        return "—"
    value = when.astimezone(turn.tz)
    today = turn.now().date()
    hour = format_time(value, turn.lang)
    if not with_day:
        return hour
    if value.date() == today:
        return turn.t("today {time}", time=hour)
    if value.date() == today + timedelta(days=1):
        return turn.t("tomorrow {time}", time=hour)
    return format_datetime(value, turn.lang, turn.tz)


def when_phrase(turn: Turn, when: datetime) -> str:
    """When, said inside a sentence ("I'll remind you {when}"): "today at 10:00", "tomorrow at 10:00",
    "on 9 Dec 2026 at 10:00" (ro «pe 9 dec. 2026, la ora 10:00»); local() is the same moment as a list's label."""
    value = when.astimezone(turn.tz)
    today, hour = turn.now().date(), format_time(value, turn.lang)
    if value.date() == today:
        return turn.pt("when, in a sentence", "today at {time}", time=hour)
    if value.date() == today + timedelta(days=1):
        return turn.pt("when, in a sentence", "tomorrow at {time}", time=hour)
    return turn.pt("when, in a sentence", "on {date} at {time}", date=format_date(value.date(), turn.lang), time=hour)


def stage_name(turn: Turn, stage: str) -> str:
    return turn.t(status_label(stage, DEAL))
