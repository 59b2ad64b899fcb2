"""Scheduled reports to managers, queued as outbox rows (Telegram; e-mail for people not on Telegram).

A report row stays small: its text, plus an attachment described by a renderer
name and the figures to draw ({"attachment": {"kind", "filename", "render",
"args"}}); the Telegram notifier draws the chart or writes the sheet at send
time. Each report has a cause "report:<name>:<period>:<user id>", checked
before queueing, so a job run twice for the same period (a restart, a new
scheduler after fail-over catching up) sends nothing twice."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import outbox
from domain.crm import reports as crm_reports
from domain.errors import N_, Np_, counted
from domain.models import Outbox, User
from domain.permissions import can
from domain.planning import run_plan
from domain.reports.digest import stock_exception_digest
from domain.status_labels import DEAL, ORDER, status_label

from bot.formatting import format_date, format_money, format_number
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Translate = Callable[[str, str], str]


def _t(translate: Translate, lang: str, template: str, **params) -> str:
    text = translate(lang, counted(template, params))  # a Plural takes the form of its count
    return text.format(**params) if params else text


async def recipients(session: AsyncSession, capability: str) -> list[User]:
    """Everyone with the capability who can be reached: on Telegram, or by e-mail when not on Telegram."""
    users = (await session.exec(select(User).where(or_(User.telegram_id.is_not(None), User.email.is_not(None)),
                                                   User.blocked.is_(False)).order_by(User.id))).all()
    return [u for u in users if can(u, capability)]


def address_of(user: User) -> tuple[str, str]:
    """(channel, recipient): Telegram when the person joined there, else their e-mail."""
    if user.telegram_id is not None:
        return "telegram", str(user.telegram_id)
    return "email", user.email


async def _queue_once(session: AsyncSession, user: User, cause: str, body: str, payload: dict | None = None) -> bool:
    if (await session.exec(select(Outbox.id).where(Outbox.cause == cause))).first() is not None:
        return False
    channel, recipient = address_of(user)
    await outbox.enqueue(session, channel=channel, recipient=recipient, body=body, payload=payload, cause=cause)
    return True


Report = tuple[str, dict | None]  # text, and the outbox payload of its attachment (None: text only)


def stock_digest_text(digest, today: date, lang: str, translate: Translate) -> str:
    lines = [_t(translate, lang, N_("Stock exceptions, {date}"), date=format_date(today, lang))]
    if digest.empty:
        lines.append(_t(translate, lang, N_("Nothing needs attention.")))
    for s in digest.negative:
        lines.append(_t(translate, lang, N_("• negative: {sku} {product} at {location}: {qty}"),
                        sku=s.sku, product=s.product, location=s.location, qty=format_number(s.quantity, lang)))
    for s in digest.low:
        lines.append(_t(translate, lang, N_("• low: {sku} {product} at {location}: {qty} (min {min})"),
                        sku=s.sku, product=s.product, location=s.location, qty=format_number(s.quantity, lang),
                        min=format_number(s.minimum, lang)))
    if digest.old_reservations:
        # two counts, each in its own plural form (ru «старше 3 дней», ro «mai vechi de 20 de zile»): the age is
        # said apart, and "older than" stays in the line, where bg and ro make it agree with the reservations
        age = _t(translate, lang, Np_("{n} day", "{n} days", "n"), n=digest.old_reservation_days)
        lines.append(_t(translate, lang, Np_("• {n} reservation older than {age}", "• {n} reservations older than {age}", "n"),
                        n=digest.old_reservations, age=age))
    if digest.counts_awaiting_approval:
        lines.append(_t(translate, lang, Np_("• {n} stock count awaiting approval", "• {n} stock counts awaiting approval", "n"),
                        n=digest.counts_awaiting_approval))
    for number, customer, status in digest.due_not_shipped:
        lines.append(_t(translate, lang, N_("• order {number} ({customer}) promised by today, still {status}"),
                        number=number, customer=customer, status=translate(lang, status_label(status, ORDER))))
    for number, supplier, drafted in getattr(digest, "stale_drafts", ()):
        lines.append(_t(translate, lang, N_("• purchase order {number} ({supplier}) is a draft since {day}: "
                                            "not sent, so not on order (/po)"),
                        number=number, supplier=supplier, day=format_date(drafted, lang) if drafted else "?"))
    return "\n".join(lines)


async def stock_digest_for(session: AsyncSession, user: User, *, now: datetime, tz: str, translate: Translate,
                           reservation_days: int = 3, draft_days: int = 3) -> Report:
    today = now.astimezone(ZoneInfo(tz)).date()
    digest = await stock_exception_digest(session, today=today, now=now, reservation_days=reservation_days,
                                          draft_days=draft_days)
    return stock_digest_text(digest, today, user.language or "en", translate), None


async def stock_digest_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                           reservation_days: int = 3, draft_days: int = 3, period: str | None = None) -> int:
    today = now.astimezone(ZoneInfo(tz)).date()
    queued = 0
    async with uow() as u:
        digest = await stock_exception_digest(u.session, today=today, now=now, reservation_days=reservation_days,
                                              draft_days=draft_days)
        for user in await recipients(u.session, "view_stock"):
            if user.role not in ("admin", "manager"):
                continue
            body = stock_digest_text(digest, today, user.language or "en", translate)
            queued += await _queue_once(u.session, user, f"report:stock_digest:{period or today}:{user.id}", body)
        await u.commit()
    return queued


async def funnel_for(session: AsyncSession, user: User, *, now: datetime, tz: str, translate: Translate,
                     currency: str) -> Report:
    """The last 7 days' funnel (deals created in the week), with its chart."""
    today = now.astimezone(ZoneInfo(tz)).date()
    start, end = today - timedelta(days=7), today
    f = await crm_reports.funnel(session, user, start, end)
    lang = user.language or "en"
    names = [_t(translate, lang, status_label(s, DEAL)) for s in crm_reports.FUNNEL]
    amounts = [format_money(round(f.amount[s]), currency, lang) for s in crm_reports.FUNNEL]
    title = _t(translate, lang, N_("Sales funnel, {start} – {end}"), start=format_date(start, lang),
               end=format_date(end - timedelta(days=1), lang))
    lines = [title] + [f"• {n}: {f.reached[s]} · {a}" for n, s, a in zip(names, crm_reports.FUNNEL, amounts)]
    lines.append(_t(translate, lang, N_("Won {won}, lost {lost}."), won=f.won, lost=f.lost))
    payload = {"attachment": {"kind": "photo", "filename": "funnel.png", "render": "funnel_png",
                              "args": {"title": title, "stages": names,
                                       "counts": [f.reached[s] for s in crm_reports.FUNNEL],
                                       "amounts": amounts, "lost": f.lost,
                                       "lost_label": _t(translate, lang, status_label("lost", DEAL))}}}
    return "\n".join(lines), payload


async def weekly_funnel_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                            currency: str, period: str | None = None) -> int:
    """The last 7 days' funnel (deals created in the week), with its chart."""
    today = now.astimezone(ZoneInfo(tz)).date()
    week = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]}"
    queued = 0
    async with uow() as u:
        for user in await recipients(u.session, "reports"):
            body, payload = await funnel_for(u.session, user, now=now, tz=tz, translate=translate, currency=currency)
            queued += await _queue_once(u.session, user, f"report:funnel:{period or week}:{user.id}", body, payload)
        await u.commit()
    return queued


REPLENISHMENT_COLUMNS = [N_("SKU"), N_("Product"), N_("Warehouse"), N_("Supplier"), N_("On hand"), N_("On order"),
                         N_("Reorder point"), N_("Order qty"), N_("Reason")]


def _replenishment_report(lines: list, today: date, lang: str, translate: Translate, max_lines: int) -> Report:
    from domain.planning.reasons import explain
    from domain.planning.run import distinct_products

    columns = [_t(translate, lang, c) for c in REPLENISHMENT_COLUMNS]
    rows = [[ln.sku, ln.name, ln.warehouse, ln.supplier or "", round(ln.on_hand, 3), round(ln.on_order, 3),
             round(ln.reorder_point, 3), round(ln.suggested_qty, 3),
             explain(ln, lambda s: translate(lang, s), number=lambda x: format_number(x, lang, max_decimals=2))] for ln in lines[:max_lines]]
    text = [_t(translate, lang, Np_("Replenishment, {date}: {n} product to order", "Replenishment, {date}: {n} products to order", "n"),
               date=format_date(today, lang), n=distinct_products(lines))]
    text += [f"• {r[0]} {r[1]} ({r[2]}): {format_number(r[7], lang)} ({r[3] or '—'})" for r in rows[:15]]
    if len(lines) > 15:
        text.append(_t(translate, lang, N_("…and {n} more in the sheet."), n=len(lines) - 15))
    payload = {"attachment": {"kind": "document", "filename": f"replenishment-{today}.xlsx",
                              "render": "table_xlsx", "args": {"title": _t(translate, lang, N_("Replenishment")),
                                                               "columns": columns, "rows": rows}}} if rows else None
    return "\n".join(text), payload


async def _plan_lines(session: AsyncSession) -> list:
    result = await run_plan(session)
    return [ln for ln in getattr(result, "lines", []) if getattr(ln, "suggested_qty", 0) > 0]


async def replenishment_for(session: AsyncSession, user: User, *, now: datetime, tz: str, translate: Translate,
                            max_lines: int = 500) -> Report | None:
    today = now.astimezone(ZoneInfo(tz)).date()
    return _replenishment_report(await _plan_lines(session), today, user.language or "en", translate, max_lines)


async def replenishment_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                            max_lines: int = 500, period: str | None = None) -> int | None:
    """Today's replenishment suggestions to purchasing, as text and a spreadsheet."""
    today = now.astimezone(ZoneInfo(tz)).date()
    queued = 0
    async with uow() as u:
        users = await recipients(u.session, "purchasing")
        if not users:
            return 0
        lines = await _plan_lines(u.session)
        for user in users:
            body, payload = _replenishment_report(lines, today, user.language or "en", translate, max_lines)
            queued += await _queue_once(u.session, user, f"report:replenishment:{period or today}:{user.id}", body, payload)
        await u.commit()
    return queued


# Reports anyone may ask for at any time (`qm report NAME`, /report NAME): name -> what it needs.
REPORT_CAPABILITY = {"stock_digest": "view_stock", "funnel": "reports", "replenishment": "purchasing"}
REPORT_TITLES = {"stock_digest": N_("stock exceptions (negative and low stock, old reservations, late orders)"),
                 "funnel": N_("last week's sales funnel, with its chart"),
                 "replenishment": N_("what to reorder today, with a spreadsheet")}


def report_timezone(settings, name: str) -> str:
    return settings.jobs.reports[name].timezone or settings.company.timezone


async def report_for(name: str, session: AsyncSession, user: User, *, now: datetime, settings,
                     translate: Translate) -> Report | None:
    """The report `name` as `user` would get it now; None when it cannot be made here (no planning)."""
    tz = report_timezone(settings, name)
    if name == "stock_digest":
        return await stock_digest_for(session, user, now=now, tz=tz, translate=translate,
                                      reservation_days=settings.jobs.reservation_days,
                                      draft_days=settings.purchasing.draft_alert_days)
    if name == "funnel":
        return await funnel_for(session, user, now=now, tz=tz, translate=translate, currency=settings.company.currency)
    if name == "replenishment":
        return await replenishment_for(session, user, now=now, tz=tz, translate=translate)
    raise KeyError(name)


async def send_report_now(name: str, uow: UnitOfWorkFactory, *, now: datetime, settings, translate: Translate) -> int | None:
    """Queues report `name` to everyone who gets it on schedule, now (a period of its own, so the
    scheduled one still goes out). Returns how many were queued."""
    tz = report_timezone(settings, name)
    period = f"now-{now:%Y%m%dT%H%M%S}"
    if name == "stock_digest":
        return await stock_digest_job(uow, now=now, tz=tz, translate=translate,
                                      reservation_days=settings.jobs.reservation_days,
                                      draft_days=settings.purchasing.draft_alert_days, period=period)
    if name == "funnel":
        return await weekly_funnel_job(uow, now=now, tz=tz, translate=translate, currency=settings.company.currency,
                                       period=period)
    if name == "replenishment":
        return await replenishment_job(uow, now=now, tz=tz, translate=translate, period=period)
    raise KeyError(name)
