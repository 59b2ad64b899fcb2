"""Managers' figures: the sales funnel, per-rep results, ABC/XYZ classes of customers."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import numpy as np
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput, N_
from ..models import Customer, Deal, DealStageChange, Interaction, SalesOrder, SalesOrderLine, User
from ..permissions import require
from .deals import OPEN_STAGES

FUNNEL = [*OPEN_STAGES, "won"]


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), timezone.utc)


@dataclass
class Funnel:
    start: date
    end: date  # exclusive
    reached: dict[str, int]  # deals that got at least this far
    amount: dict[str, Decimal]
    conversion: dict[str, float | None]  # "new->qualified": share of the earlier stage that reached the next
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)
    lost_reasons: list[tuple[str, int]] = field(default_factory=list)
    currency_mix: bool = False  # amounts summed over several currencies


async def funnel(session: AsyncSession, actor: User, start: date, end: date) -> Funnel:
    """Deals created in [start, end): how far each got (from its stage history), won/lost and why."""
    require(actor, "reports")
    if end <= start:
        raise InvalidInput(N_("The period is empty: its end must be after its start."))
    deals = (await session.exec(select(Deal).where(Deal.created_at >= _utc(start), Deal.created_at < _utc(end)))).all()
    history: dict[int, set[str]] = defaultdict(set)
    if deals:
        ids = [d.id for d in deals]
        for deal_id, to_stage in (await session.exec(select(DealStageChange.deal_id, DealStageChange.to_stage)
                                                       .where(DealStageChange.deal_id.in_(ids)))).all():
            history[deal_id].add(to_stage)
    reached = {s: 0 for s in FUNNEL}
    amount = {s: Decimal(0) for s in FUNNEL}
    reasons: Counter[str] = Counter()
    result = Funnel(start, end, reached, amount, {}, currency_mix=len({d.currency for d in deals}) > 1)
    for deal in deals:
        stages = history[deal.id] | {deal.stage, "new"}
        # A deal that got to stage k passed every stage before it, even when a move skipped some.
        depth = max(FUNNEL.index(s) for s in stages if s in FUNNEL)
        for s in FUNNEL[: depth + 1]:
            reached[s] += 1
            amount[s] += deal.amount or 0
        if deal.stage == "won":
            result.won += 1
            result.won_amount += deal.amount or 0
        elif deal.stage == "lost":
            result.lost += 1
            reasons[(deal.lost_reason or "no reason given").lower()] += 1
    for a, b in zip(FUNNEL, FUNNEL[1:]):
        result.conversion[f"{a}->{b}"] = reached[b] / reached[a] if reached[a] else None
    result.lost_reasons = reasons.most_common()
    return result


@dataclass
class RepFigures:
    user: User
    interactions: int
    deals_won: int
    won_amount: Decimal
    order_revenue: Decimal


async def rep_figures(session: AsyncSession, actor: User, start: date, end: date) -> list[RepFigures]:
    """Per rep: interactions logged, deals won (closed in the period), and order revenue (orders they created)."""
    require(actor, "reports")
    s, e = _utc(start), _utc(end)
    users = (await session.exec(select(User).where(User.role.in_(["sales", "manager", "admin"])).order_by(User.name))).all()
    logged = dict((await session.exec(select(Interaction.user_id, func.count()).where(
        Interaction.occurred_at >= s, Interaction.occurred_at < e).group_by(Interaction.user_id))).all())
    won_rows = (await session.exec(select(Deal.owner_id, Deal.amount).where(
        Deal.stage == "won", Deal.closed_at >= s, Deal.closed_at < e))).all()
    won_n, won_sum = Counter(), defaultdict(Decimal)
    for owner, amt in won_rows:
        won_n[owner] += 1
        won_sum[owner] += amt or 0
    revenue = defaultdict(Decimal)
    rows = (await session.exec(select(SalesOrder.created_by_id, SalesOrderLine.quantity, SalesOrderLine.price)
                               .join(SalesOrderLine, SalesOrderLine.order_id == SalesOrder.id)
                               .where(SalesOrder.status.not_in(["cancelled", "draft"]), SalesOrder.order_date >= start,
                                      SalesOrder.order_date < end))).all()
    for uid, qty, price in rows:
        revenue[uid] += (qty or 0) * (price or 0)
    out = [RepFigures(u, logged.get(u.id, 0), won_n[u.id], won_sum[u.id], revenue[u.id].quantize(Decimal("0.01")))
           for u in users]
    return [r for r in out if r.interactions or r.deals_won or r.order_revenue or r.user.role == "sales"]


@dataclass(frozen=True)
class Thresholds:
    """ABC: cumulative revenue share; XYZ: coefficient of variation of monthly revenue."""

    a: float = 0.80
    b: float = 0.95  # A+B; the rest (5%) is C
    x: float = 0.5  # CV up to this: X (steady buyer)
    y: float = 1.0  # up to this: Y; above: Z (irregular)
    months: int = 12

    @classmethod
    def from_shares(cls, a_share: float, b_share: float, x_max_cv: float, y_max_cv: float, months: int) -> Thresholds:
        """From the sales.abc_xyz settings: A's share, B's share on top of it, the two CV limits."""
        t = cls(a=float(a_share), b=float(a_share) + float(b_share), x=float(x_max_cv), y=float(y_max_cv), months=int(months))
        if not (0 < t.a < t.b <= 1 and 0 < t.x < t.y and t.months >= 2):
            raise ValueError("sales.abc_xyz: need 0 < a_share < a_share+b_share <= 1, 0 < x_max_cv < y_max_cv, months >= 2")
        return t


@dataclass
class CustomerClass:
    customer_id: int
    name: str
    revenue: Decimal
    abc: str
    xyz: str
    cv: float | None


def _month_index(day: date, first: date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


async def abc_xyz(session: AsyncSession, today: date, thresholds: Thresholds = Thresholds()) -> list[CustomerClass]:
    """Classes every active customer from the last `months` full-and-current months of orders
    (not cancelled or draft). No revenue: C and Z."""
    first = date(today.year, today.month, 1)
    for _ in range(thresholds.months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = (await session.exec(select(SalesOrder.customer_id, SalesOrder.order_date, SalesOrderLine.quantity, SalesOrderLine.price)
                               .join(SalesOrderLine, SalesOrderLine.order_id == SalesOrder.id)
                               .where(SalesOrder.status.not_in(["cancelled", "draft"]), SalesOrder.order_date >= first,
                                      SalesOrder.order_date <= today))).all()
    customers = (await session.exec(select(Customer).where(Customer.merged_into_id.is_(None)))).all()
    monthly = {c.id: np.zeros(thresholds.months) for c in customers}
    for cid, day, qty, price in rows:
        if cid in monthly and day is not None:
            monthly[cid][_month_index(day, first)] += float((qty or 0) * (price or 0))
    totals = {cid: m.sum() for cid, m in monthly.items()}
    grand = sum(totals.values())
    ranked = sorted(customers, key=lambda c: (-totals[c.id], c.id))
    out, before = [], 0.0
    for c in ranked:
        revenue = totals[c.id]
        if revenue <= 0 or grand <= 0:
            abc = "C"
        else:
            share_before = before / grand  # the customer that crosses 80% still belongs to A
            abc = "A" if share_before < thresholds.a else "B" if share_before < thresholds.b else "C"
        before += revenue
        m = monthly[c.id]
        cv = float(m.std() / m.mean()) if m.mean() > 0 else None
        xyz = "Z" if cv is None else "X" if cv <= thresholds.x else "Y" if cv <= thresholds.y else "Z"
        out.append(CustomerClass(c.id, c.name, Decimal(str(round(revenue, 2))), abc, xyz, cv))
    return out


def grid_counts(classes: list[CustomerClass]) -> dict[str, int]:
    counts = Counter(c.abc + c.xyz for c in classes)
    return {a + x: counts.get(a + x, 0) for a in "ABC" for x in "XYZ"}
