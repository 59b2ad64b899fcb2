"""Managers' sales views: funnel chart, per-rep figures, ABC/XYZ grid, client groups.

    /funnel [month|quarter|year|12m]   chart + conversions + lost reasons  (sales_report intent)
    /reps [period]                      interactions, deals won, revenue per rep
    /abc                                ABC/XYZ grid of customers
    /groups                             client groups with their sizes
    /group new NAME [abc=A xyz=X,Y city=Sofia tag=key]   by rule, or by hand when no rule
    /group add NAME | CUSTOMER,  /group show NAME
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from domain.crm import customers as crm_customers
from domain.crm import groups as crm_groups
from domain.crm import reports
from domain.errors import InvalidInput, N_
from domain.permissions import require

from ...formatting import format_date, format_percent
from ...reports.charts import abc_xyz_png, funnel_png
from ..messages import Attachment, Button
from ..router import Route, Router
from ..turn import Turn
from .crm_common import entities, entity_day, money, stage_name

PERIODS = {"month": N_("this month"), "quarter": N_("this quarter"), "year": N_("this year"), "12m": N_("last 12 months")}


def period_bounds(key: str, today: date) -> tuple[date, date]:
    end = today + timedelta(days=1)
    if key == "quarter":
        return date(today.year, (today.month - 1) // 3 * 3 + 1, 1), end
    if key == "year":
        return date(today.year, 1, 1), end
    if key == "12m":
        return today - timedelta(days=365), end
    return date(today.year, today.month, 1), end


def _period_key(text: str) -> str | None:
    text = (text or "").lower()
    for key, words in (("12m", ("12m", "12 m", "last year", "12 мес")), ("quarter", ("quarter", "квартал")),
                       ("year", ("year", "год")), ("month", ("month", "месяц"))):
        if any(w in text for w in words):
            return key
    return None


async def funnel(turn: Turn) -> None:
    require(turn.user, "reports")
    key = _period_key(turn.args)
    if key is None:
        turn.say(turn.t("The funnel for which period?"),
                 [[Button(turn.t(label), f"rep:funnel:{k}") for k, label in list(PERIODS.items())[:2]],
                  [Button(turn.t(label), f"rep:funnel:{k}") for k, label in list(PERIODS.items())[2:]]])
        return
    start, end = period_bounds(key, turn.now().date())
    await _funnel(turn, start, end, turn.t(PERIODS[key]))


async def report_from_intent(turn: Turn) -> None:
    ent = entities(turn)
    today = turn.now().date()
    day = entity_day(ent)
    if day is not None and day <= today:
        await _funnel(turn, day, today + timedelta(days=1), turn.t("since {date}", date=format_date(day, turn.lang)))
        return
    key = _period_key(turn.inbound.text or "") or "month"
    start, end = period_bounds(key, today)
    await _funnel(turn, start, end, turn.t(PERIODS[key]))


async def _funnel(turn: Turn, start: date, end: date, label: str) -> None:
    f = await reports.funnel(turn.session, turn.user, start, end)
    currency = turn.services.settings.company.currency
    names = [stage_name(turn, s) for s in reports.FUNNEL]
    lines = [turn.tn("Sales funnel, {period} ({start} – {end}): {n} deal", "Sales funnel, {period} ({start} – {end}): {n} deals",
                     f.reached["new"], period=label, start=format_date(start, turn.lang),
                     end=format_date(end - timedelta(days=1), turn.lang))]
    for s, name in zip(reports.FUNNEL, names):
        lines.append(f"• {name}: {f.reached[s]} · {money(turn, f.amount[s], currency)}")
    conv = [f"{stage_name(turn, a)}→{stage_name(turn, b)} {format_percent(f.conversion[f'{a}->{b}'], turn.lang)}"
            for a, b in zip(reports.FUNNEL, reports.FUNNEL[1:]) if f.conversion[f"{a}->{b}"] is not None]
    if conv:
        lines.append(turn.t("Conversion: {list}", list=", ".join(conv)))
    lines.append(turn.t("Won {won} ({amount}), lost {lost}.", won=f.won, amount=money(turn, f.won_amount, currency), lost=f.lost))
    if f.lost_reasons:
        lines.append(turn.t("Lost because: {list}", list=", ".join(f"{r} ({n})" for r, n in f.lost_reasons)))
    if f.currency_mix:
        lines.append(turn.t("Note: amounts in several currencies are added up as they are."))
    png = funnel_png(turn.t("Sales funnel, {period}", period=label), names, [f.reached[s] for s in reports.FUNNEL],
                     [money(turn, f.amount[s], currency) for s in reports.FUNNEL], f.lost, stage_name(turn, "lost"))
    turn.say("\n".join(lines), attachments=[Attachment("photo", "funnel.png", png)])


async def reps(turn: Turn) -> None:
    key = _period_key(turn.args) or "month"
    start, end = period_bounds(key, turn.now().date())
    rows = await reports.rep_figures(turn.session, turn.user, start, end)
    currency = turn.services.settings.company.currency
    lines = [turn.t("Sales reps, {period}:", period=turn.t(PERIODS[key]))]
    for r in rows:
        lines.append(turn.t("• {name}: {calls} interactions, {won} deals won ({won_amount}), orders {revenue}",
                            name=r.user.name, calls=r.interactions, won=r.deals_won, won_amount=money(turn, r.won_amount, currency),
                            revenue=money(turn, r.order_revenue, currency)))
    if not rows:
        lines.append(turn.t("No activity."))
    turn.say("\n".join(lines))


def thresholds(turn: Turn) -> reports.Thresholds:
    return turn.services.settings.sales.abc_xyz.thresholds()


async def abc(turn: Turn) -> None:
    require(turn.user, "reports")
    classes = await reports.abc_xyz(turn.session, turn.now().date(), thresholds(turn))
    counts = reports.grid_counts(classes)
    total = sum(float(c.revenue) for c in classes) or 1.0
    share = defaultdict(float)
    for c in classes:
        share[c.abc + c.xyz] += float(c.revenue) / total
    top = [c for c in classes if c.abc == "A"][:5]
    lines = [turn.tn("ABC/XYZ of {n} customer (ABC: revenue share, XYZ: how steady the monthly revenue is):",
                     "ABC/XYZ of {n} customers (ABC: revenue share, XYZ: how steady the monthly revenue is):", len(classes))]
    lines += [f"{a}: " + "  ".join(f"{a}{x} {counts[a + x]}" for x in "XYZ") for a in "ABC"]
    if top:
        lines.append(turn.t("Top A customers: {names}", names=", ".join(c.name for c in top)))
    png = abc_xyz_png(turn.t("Customers by ABC/XYZ"), counts, dict(share), translate=lambda s: turn.t(s))
    turn.say("\n".join(lines), attachments=[Attachment("photo", "abc_xyz.png", png)])


async def groups(turn: Turn) -> None:
    require(turn.user, "mailings")
    items = await crm_groups.list_groups(turn.session)
    if not items:
        turn.say(turn.t("No client groups yet. /group new NAME abc=A city=Sofia makes one by rule; without a rule you add customers by hand."))
        return
    lines = [turn.t("Client groups:")]
    for g in items:
        n = len(await crm_groups.members(turn.session, g, today=turn.now().date(), thresholds=thresholds(turn)))
        rule = " ".join(f"{k}={','.join(v)}" for k, v in (g.rule or {}).items()) or turn.t("by hand")
        lines.append(f"• {g.name} — {n} · {rule}")
    turn.say("\n".join(lines))


async def group(turn: Turn) -> None:
    """/group new NAME [rule] | /group add NAME | CUSTOMER | /group show NAME"""
    verb, _, rest = turn.args.strip().partition(" ")
    verb = verb.lower()
    if verb == "new":
        words = rest.split()
        name = " ".join(w for w in words if "=" not in w)
        rule_text = " ".join(w for w in words if "=" in w)
        g = await crm_groups.create_group(turn.session, turn.user, name, rule=crm_groups.parse_rule(rule_text) if rule_text else None)
        n = len(await crm_groups.members(turn.session, g, today=turn.now().date(), thresholds=thresholds(turn)))
        turn.say(turn.tn("Group {name} created ({n} customer).", "Group {name} created ({n} customers).", n, name=g.name))
    elif verb == "add":
        name, sep, query = rest.partition("|")
        if not sep:
            raise InvalidInput(N_("Write it as /group add GROUP | CUSTOMER."))
        g = await crm_groups.group_by_name(turn.session, name)
        customer = crm_customers.clear_choice(await crm_customers.find_customers(turn.session, query))
        if customer is None:
            raise InvalidInput(N_("I can't tell which customer \u201c{query}\u201d is; use its code (like C0012)."), query=query.strip())
        await crm_groups.add_member(turn.session, turn.user, g, customer.id)
        turn.say(turn.t("{customer} added to {name}.", customer=customer.name, name=g.name))
    elif verb == "show":
        g = await crm_groups.group_by_name(turn.session, rest)
        members = await crm_groups.members(turn.session, g, today=turn.now().date(), thresholds=thresholds(turn))
        lines = [turn.tn("{name}: {n} customer", "{name}: {n} customers", len(members), name=g.name)]
        lines += [f"• {c.name} ({c.code})" for c in members[:40]]
        if len(members) > 40:
            lines.append(turn.t("…and {n} more.", n=len(members) - 40))
        turn.say("\n".join(lines))
    else:
        turn.say(turn.t("Use /group new NAME [abc=A xyz=X city=Sofia tag=key], /group add NAME | CUSTOMER or /group show NAME."))


async def on_button(turn: Turn) -> None:
    action, _, rest = turn.args.partition(":")
    if action == "funnel" and rest in PERIODS:
        start, end = period_bounds(rest, turn.now().date())
        await _funnel(turn, start, end, turn.t(PERIODS[rest]))
    else:
        turn.say(turn.t("That button is no longer valid."))


def register(router: Router) -> None:
    router.declare(
        capability="reports", cost="report",
        commands={"funnel": (funnel, N_("sales funnel chart")), "reps": (reps, N_("figures per sales rep")),
                  "abc": (abc, N_("ABC/XYZ classes of customers")),
                  "groups": (Route(groups, "mailings"), N_("client groups")), "group": Route(group, "mailings")},
        intents={"sales_report": report_from_intent},
        callbacks={"rep": on_button},
    )
