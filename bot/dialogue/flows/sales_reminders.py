"""Reminders and the day's list.

    /remind [text]  -> what (if not given) -> when (buttons or typed) -> saved
    "remind me to call Acme tomorrow at 10"  (create_reminder intent)
    /today, "what's on my list today?"  (list_tasks intent)
    /today tomorrow, /tomorrow, "what's on my list tomorrow?"  tomorrow's reminders
    /week, /today week, "what's on my list this week?"  overdue ones and the next seven days, day by day
    Delivered reminders carry Done / Snooze 1 h / Tomorrow buttons (rem:...).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from domain.crm import customers as crm_customers
from domain.crm import reminders as crm_reminders
from domain.errors import N_
from domain.models import Customer

from ...formatting import format_date, shorten
from ..messages import Button
from ..router import Router
from ..turn import Turn, button_id
from .crm_common import entities, entity_when, local, require_when, start_for_customer, when_phrase

FLOW = "rem"
_PREFIX = re.compile(r"^\s*(please\s+)?(remind\s+me\s+(to\s+|about\s+|that\s+)?|напомни(те)?\s+(мне\s+)?|reminder:?\s*)", re.IGNORECASE)


def _when_buttons(turn: Turn) -> list[list[Button]]:
    now = turn.now()
    rows = [[Button(turn.t("In 1 hour"), "rem:at:h1"), Button(turn.t("Tomorrow 9:00"), "rem:at:t9")]]
    second = []
    if now.hour < 16:
        second.append(Button(turn.t("Today 17:00"), "rem:at:d17"))
    second.append(Button(turn.t("Monday 9:00"), "rem:at:m9"))
    rows.append(second)
    return rows


def _preset(turn: Turn, key: str) -> datetime:
    now = turn.now()
    if key == "h1":
        return now + timedelta(hours=1)
    if key == "d17":
        return datetime.combine(now.date(), time(17), turn.tz)
    if key == "m9":
        days = (7 - now.weekday()) % 7 or 7
        return datetime.combine(now.date() + timedelta(days=days), time(9), turn.tz)
    return datetime.combine(now.date() + timedelta(days=1), time(9), turn.tz)


async def start(turn: Turn) -> None:
    turn.end()
    text = _PREFIX.sub("", turn.args).strip()
    if not text:
        turn.goto(FLOW, "text")
        turn.say(turn.t("What should I remind you about?"))
        return
    turn.goto(FLOW, "when", text=text)
    turn.say(turn.t("When? Choose, or type a day and time (e.g. \u201cFriday 10:00\u201d)."), _when_buttons(turn))


async def on_text(turn: Turn) -> None:
    text = (turn.inbound.text or "").strip()
    turn.goto(FLOW, "when", text=text)
    turn.say(turn.t("When? Choose, or type a day and time (e.g. \u201cFriday 10:00\u201d)."), _when_buttons(turn))


async def on_when_text(turn: Turn) -> None:
    await _save(turn, require_when(turn, turn.inbound.text or ""))


async def _save(turn: Turn, due: datetime, customer: Customer | None = None) -> None:
    s = turn.state
    customer_id = customer.id if customer else s.get("customer_id")
    reminder = await crm_reminders.create_reminder(turn.session, turn.user, text=s["text"], due_at=due, now=turn.services.clock(),
                                                   customer_id=customer_id)
    turn.end()
    turn.remember_undo("reminder", id=reminder.id)
    turn.say(turn.t("OK, I'll remind you {when}: {text}", when=when_phrase(turn, reminder.due_at), text=reminder.text),
             edit=turn.inbound.kind == "callback")


async def undo_reminder(turn: Turn) -> None:
    reminder = await crm_reminders.delete(turn.session, turn.user, turn.undo_id)
    turn.say(turn.t("Undone: no reminder \u201c{text}\u201d.", text=reminder.text))


async def from_intent(turn: Turn) -> None:
    ent = entities(turn)
    turn.end()
    text = ent.get("note") or _PREFIX.sub("", turn.inbound.text or "").strip() or (turn.inbound.text or "")
    turn.goto(FLOW, "when", text=text)
    customer = None
    if ent.get("customer"):
        # Linking the customer is a bonus: an unclear name doesn't stop the reminder.
        customer = crm_customers.clear_choice(await crm_customers.find_customers(turn.session, ent["customer"]))
    due = entity_when(turn, ent, default_hour=9)
    if due is None:
        if customer is not None:
            turn.goto(FLOW, "when", customer_id=customer.id)
        turn.say(turn.t("When should I remind you? Choose, or type a day and time."), _when_buttons(turn))
        return
    await _save(turn, due, customer)


async def on_button(turn: Turn) -> None:
    """rem:at:<preset> while asking when; rem:done|snooze|tomorrow:<id> on a delivered reminder;
    rem:start:<customer> from a customer card."""
    action, _, rest = turn.args.partition(":")
    now = turn.services.clock()
    if action == "at":  # the reminder flow's latest button only (flow_buttons)
        await _save(turn, _preset(turn, rest))
    elif action == "start":
        customer = await start_for_customer(turn, rest, FLOW, "text")
        turn.say(turn.t("What should I remind you about {customer}?", customer=customer.name))
    elif action == "done":
        reminder = await crm_reminders.complete(turn.session, turn.user, button_id(rest), now)
        turn.say(turn.t("✅ Done: {text}", text=reminder.text), edit=True)
    elif action == "snooze":
        reminder = await crm_reminders.snooze(turn.session, turn.user, button_id(rest), now + timedelta(hours=1), now)
        turn.say(turn.t("Snoozed until {when}: {text}", when=local(turn, reminder.due_at), text=reminder.text), edit=True)
    elif action == "tomorrow":
        reminder = await crm_reminders.snooze(turn.session, turn.user, button_id(rest), crm_reminders.tomorrow_morning(now, turn.tz), now)
        turn.say(turn.t("Moved to {when}: {text}", when=local(turn, reminder.due_at), text=reminder.text), edit=True)
    else:
        turn.say(turn.t("That button is no longer valid."))


# Words after /today that ask for another span than today, in the bot's languages.
_TOMORROW = re.compile(r"tomorrow|завтра|утре|m[aâ]ine|明天", re.IGNORECASE)
_WEEK_WORD = re.compile(r"week|недел|седмиц|săpt[aă]m[aâ]n|saptamana|本周|这周|一周", re.IGNORECASE)


def _span(turn: Turn) -> str:
    words = f"{turn.args or ''} {turn.inbound.text or ''}"
    if _WEEK_WORD.search(words):
        return "week"
    if _TOMORROW.search(words):
        return "tomorrow"
    return "today"


_WEEK = re.compile(r"\b(this|next) week\b|\bweek\b|недел|седмица|săptămân|saptaman|(这|本|下)(周|星期|个星期)", re.I)
_NEXT = re.compile(r"\bnext\b|следующ|след\.?\s|следващ|viitoare|下(周|星期|个星期)", re.I)


def _period(turn: Turn) -> tuple[date, date, bool]:
    """The days a list question asks about: a day the message names, this or next week, else
    today (with what is overdue). Returns (first, last, with_overdue)."""
    today_ = turn.now().date()
    parsed = turn.parsed
    ents = parsed.entities if parsed is not None else {}
    text = getattr(parsed, "text", "") or ""
    day = ents.get("date") or (ents.get("datetime") or "")[:10]
    if day:
        try:
            named = date.fromisoformat(day)
        except ValueError:
            named = today_
        return named, named, named <= today_
    if text and _WEEK.search(text):
        if _NEXT.search(text):
            first = today_ + timedelta(days=7 - today_.weekday())
            return first, first + timedelta(days=6), False
        return today_, today_ + timedelta(days=6 - today_.weekday()), True
    return today_, today_, True


async def today(turn: Turn) -> None:
    if turn.parsed is None:  # the /today command: "/today tomorrow", "/today week"
        span = _span(turn)
        if span == "tomorrow":
            await tomorrow(turn)
            return
        if span == "week":
            await week(turn)
            return
    elif _WEEK.search(getattr(turn.parsed, "text", "") or "") and not _NEXT.search(getattr(turn.parsed, "text", "") or ""):
        await week(turn)  # "what's on my list this week?": overdue first, then the next seven days by day
        return
    first, last, overdue = _period(turn) if turn.parsed is not None else (turn.now().date(),) * 2 + (True,)
    if first == last and overdue:
        items = await crm_reminders.agenda(turn.session, turn.user, first, turn.tz)
    else:
        items = await crm_reminders.agenda_between(turn.session, turn.user, first, last, turn.tz)
        if overdue:  # this week, from today: what is already late comes first
            late = [r for r in await crm_reminders.agenda(turn.session, turn.user, turn.now().date(), turn.tz)
                    if r.due_at < turn.services.clock()]
            items = late + [r for r in items if r not in late]
    is_today = first == last == turn.now().date()
    if not items:
        if is_today:
            turn.say(turn.t("Nothing on your list for today. /remind adds something."))
        else:
            turn.say(turn.t("Nothing on your list from {first} to {last}.", first=format_date(first, turn.lang), last=format_date(last, turn.lang))
                     if first != last else turn.t("Nothing on your list for {day}.", day=format_date(first, turn.lang)))
        return
    now = turn.services.clock()
    if is_today:
        lines = [turn.t("Your list for today:")]
    elif first == last:
        lines = [turn.t("Your list for {day}:", day=format_date(first, turn.lang))]
    else:
        lines = [turn.t("Your list from {first} to {last}:", first=format_date(first, turn.lang), last=format_date(last, turn.lang))]
    buttons = []
    for r in items:
        mark = "⚠️ " if r.due_at < now else ""
        lines.append(f"{mark}{local(turn, r.due_at)} — {r.text}")
        if len(buttons) < 8:
            buttons.append([Button(shorten(turn.pt("button that marks a reminder done", "Done: {text}", text=r.text), 60), f"rem:done:{r.id}")])
    turn.say("\n".join(lines), buttons)


async def tomorrow(turn: Turn) -> None:
    day = turn.now().date() + timedelta(days=1)
    items = await crm_reminders.agenda_span(turn.session, turn.user, day, day, turn.tz)
    if not items:
        turn.say(turn.t("Nothing on your list for tomorrow. /week shows the next seven days."))
        return
    lines = [turn.t("Your list for tomorrow, {day}:", day=format_date(day, turn.lang, style="full"))]
    lines += [f"{local(turn, r.due_at, with_day=False)} — {r.text}" for r in items]
    turn.say("\n".join(lines))


async def week(turn: Turn) -> None:
    first = turn.now().date()
    last = first + timedelta(days=6)
    items = await crm_reminders.agenda_span(turn.session, turn.user, first, last, turn.tz, overdue=True)
    if not items:
        turn.say(turn.t("Nothing on your list for the next seven days. /remind adds something."))
        return
    now = turn.services.clock()
    lines = [turn.t("Your list for the next seven days:")]
    shown_day = None
    for r in items:
        day = max(r.due_at.astimezone(turn.tz).date(), first)  # overdue ones head today's list
        if day != shown_day:
            shown_day = day
            lines.append(turn.t("Today, {day}:", day=format_date(day, turn.lang)) if day == first else
                         format_date(day, turn.lang, style="full") + ":")
        mark = "⚠️ " if r.due_at < now else ""
        lines.append(f"  {mark}{local(turn, r.due_at)} — {r.text}" if r.due_at < now else
                     f"  {local(turn, r.due_at, with_day=False)} — {r.text}")
    turn.say("\n".join(lines))


def register(router: Router) -> None:
    router.declare(
        capability="reminders",
        commands={"remind": (start, N_("set a reminder")),
                  "today": (today, N_("what's on my list today (/today tomorrow, /today week)")),
                  "tomorrow": (tomorrow, N_("what's on my list tomorrow")),
                  "week": (week, N_("my list for the next seven days"))},
        intents={"create_reminder": from_intent, "list_tasks": today},
        steps={FLOW: {"text": on_text, "when": on_when_text}},
        callbacks={"rem": on_button},
        undos={"reminder": undo_reminder},
    )
