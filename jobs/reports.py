"""Scheduled reports to managers, queued as outbox rows (Telegram).

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

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import outbox
from domain.crm import reports as crm_reports
from domain.errors import N_
from domain.models import Outbox, User
from domain.permissions import can
from domain.reports.digest import stock_exception_digest
from domain.status_labels import status_label
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Translate = Callable[[str, str], str]


def _t(translate: Translate, lang: str, template: str, **params) -> str:
    text = translate(lang, template)
    return text.format(**params) if params else text


async def recipients(session: AsyncSession, capability: str) -> list[User]:
    users = (await session.exec(select(User).where(User.telegram_id.is_not(None), User.blocked.is_(False))
                                .order_by(User.id))).all()
    return [u for u in users if can(u, capability)]


async def _queue_once(session: AsyncSession, user: User, cause: str, body: str, payload: dict | None = None) -> bool:
    if (await session.exec(select(Outbox.id).where(Outbox.cause == cause))).first() is not None:
        return False
    await outbox.enqueue(session, channel="telegram", recipient=str(user.telegram_id), body=body, payload=payload,
                         cause=cause)
    return True


async def stock_digest_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                           reservation_days: int = 3, draft_days: int = 3) -> int:
    today = now.astimezone(ZoneInfo(tz)).date()
    queued = 0
    async with uow() as u:
        digest = await stock_exception_digest(u.session, today=today, now=now, reservation_days=reservation_days,
                                              draft_days=draft_days)
        for user in await recipients(u.session, "view_stock"):
            if user.role not in ("admin", "manager"):
                continue
            lang = user.language or "en"
            lines = [_t(translate, lang, N_("Stock exceptions, {date}"), date=today.strftime("%d.%m.%Y"))]
            if digest.empty:
                lines.append(_t(translate, lang, N_("Nothing needs attention.")))
            for s in digest.negative:
                lines.append(_t(translate, lang, N_("• negative: {sku} {product} at {location}: {qty}"),
                                sku=s.sku, product=s.product, location=s.location, qty=f"{s.quantity:g}"))
            for s in digest.low:
                lines.append(_t(translate, lang, N_("• low: {sku} {product} at {location}: {qty} (min {min})"),
                                sku=s.sku, product=s.product, location=s.location, qty=f"{s.quantity:g}",
                                min=f"{s.minimum:g}"))
            if digest.old_reservations:
                lines.append(_t(translate, lang, N_("• {n} reservation(s) older than {days} days"),
                                n=digest.old_reservations, days=digest.old_reservation_days))
            if digest.counts_awaiting_approval:
                lines.append(_t(translate, lang, N_("• {n} stock count(s) awaiting approval"),
                                n=digest.counts_awaiting_approval))
            for number, customer, status in digest.due_not_shipped:
                lines.append(_t(translate, lang, N_("• order {number} ({customer}) promised by today, still {status}"),
                                number=number, customer=customer,
                                status=translate(lang, status_label(status))))
            for number, supplier, drafted in digest.stale_drafts:
                lines.append(_t(translate, lang, N_("• purchase order {number} ({supplier}) is a draft since {day}: "
                                                    "not sent, so not on order (/po)"),
                                number=number, supplier=supplier, day=drafted.strftime("%d.%m.%Y") if drafted else "?"))
            queued += await _queue_once(u.session, user, f"report:stock_digest:{today}:{user.id}", "\n".join(lines))
        await u.commit()
    return queued


async def weekly_funnel_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                            currency: str) -> int:
    """The last 7 days' funnel (deals created in the week), with its chart."""
    today = now.astimezone(ZoneInfo(tz)).date()
    start, end = today - timedelta(days=7), today
    queued = 0
    async with uow() as u:
        for user in await recipients(u.session, "reports"):
            f = await crm_reports.funnel(u.session, user, start, end)
            lang = user.language or "en"
            names = [_t(translate, lang, status_label(s)) for s in crm_reports.FUNNEL]
            amounts = [f"{f.amount[s]:,.0f} {currency}" for s in crm_reports.FUNNEL]
            title = _t(translate, lang, N_("Sales funnel, {start} – {end}"), start=start.strftime("%d.%m"),
                       end=(end - timedelta(days=1)).strftime("%d.%m.%Y"))
            lines = [title] + [f"• {n}: {f.reached[s]} · {a}" for n, s, a in zip(names, crm_reports.FUNNEL, amounts)]
            lines.append(_t(translate, lang, N_("Won {won}, lost {lost}."), won=f.won, lost=f.lost))
            payload = {"attachment": {"kind": "photo", "filename": "funnel.png", "render": "funnel_png",
                                      "args": {"title": title, "stages": names,
                                               "counts": [f.reached[s] for s in crm_reports.FUNNEL],
                                               "amounts": amounts, "lost": f.lost,
                                               "lost_label": _t(translate, lang, status_label("lost"))}}}
            queued += await _queue_once(u.session, user, f"report:funnel:{today.isocalendar()[0]}-W{today.isocalendar()[1]}:{user.id}",
                                        "\n".join(lines), payload)
        await u.commit()
    return queued


REPLENISHMENT_COLUMNS = [N_("SKU"), N_("Product"), N_("Warehouse"), N_("Supplier"), N_("On hand"), N_("On order"),
                         N_("Reorder point"), N_("Order qty"), N_("Reason")]


def _planning():
    """The replenishment planner, when this installation has it."""
    try:
        from domain.planning import run_plan
    except ImportError:
        return None
    return run_plan


async def replenishment_job(uow: UnitOfWorkFactory, *, now: datetime, tz: str, translate: Translate,
                            max_lines: int = 500) -> int | None:
    """Today's replenishment suggestions to purchasing, as text and a spreadsheet.
    None when planning is not installed here (the job then does nothing and says so once per run)."""
    run_plan = _planning()
    if run_plan is None:
        log.info("replenishment report skipped: planning (domain.planning) is not installed")
        return None
    from domain.planning.reasons import explain

    today = now.astimezone(ZoneInfo(tz)).date()
    queued = 0
    async with uow() as u:
        users = await recipients(u.session, "purchasing")
        if not users:
            return 0
        result = await run_plan(u.session)
        lines = [ln for ln in getattr(result, "lines", []) if getattr(ln, "suggested_qty", 0) > 0]
        for user in users:
            lang = user.language or "en"
            columns = [_t(translate, lang, c) for c in REPLENISHMENT_COLUMNS]
            rows = [[ln.sku, ln.name, ln.warehouse, ln.supplier or "", round(ln.on_hand, 3), round(ln.on_order, 3),
                     round(ln.reorder_point, 3), round(ln.suggested_qty, 3),
                     explain(ln, lambda s: translate(lang, s))] for ln in lines[:max_lines]]
            text = [_t(translate, lang, N_("Replenishment, {date}: {n} product(s) to order"),
                       date=today.strftime("%d.%m.%Y"), n=len(lines))]
            text += [f"• {r[0]} {r[1]}: {r[7]:g} ({r[3] or '—'})" for r in rows[:15]]
            if len(lines) > 15:
                text.append(_t(translate, lang, N_("…and {n} more in the sheet."), n=len(lines) - 15))
            payload = {"attachment": {"kind": "document", "filename": f"replenishment-{today}.xlsx",
                                      "render": "table_xlsx", "args": {"title": _t(translate, lang, N_("Replenishment")), "columns": columns,
                                                                       "rows": rows}}} if rows else None
            queued += await _queue_once(u.session, user, f"report:replenishment:{today}:{user.id}", "\n".join(text), payload)
        await u.commit()
    return queued
