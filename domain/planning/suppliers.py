"""Supplier performance from receipts, and the lead times planning should use.

A receipt is a stock move with reason "receipt" whose `document` is the
purchase order's number. Per order and product: actual lead time = first
receipt day - order date; on time = first receipt on or before the expected
date; fill rate = received (capped at ordered) / ordered, over orders that are
received, partly received, or past their expected date.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import NotFound, N_
from ..models import PurchaseOrder, PurchaseOrderLine, StockMove, Supplier, SupplierProduct


@dataclass
class Delivery:
    """One product on one purchase order, as received."""

    supplier_id: int
    product_id: int
    po_number: str
    ordered: float
    received: float
    order_date: date | None
    expected_date: date | None
    first_receipt: date | None
    quoted_days: float | None

    @property
    def actual_days(self) -> float | None:
        if self.first_receipt is None or self.order_date is None:
            return None
        return float((self.first_receipt - self.order_date).days)

    @property
    def on_time(self) -> bool | None:
        if self.first_receipt is None or self.expected_date is None:
            return None
        return self.first_receipt <= self.expected_date


@dataclass
class SupplierPerformance:
    supplier_id: int
    code: str
    name: str
    deliveries: int  # order x product pairs with a receipt
    on_time_rate: float | None  # share received by the expected date
    fill_rate: float | None  # received / ordered
    lead_time_actual_days: float | None  # mean
    lead_time_actual_sd: float | None
    lead_time_quoted_days: float | None  # mean of what was promised on the same orders
    late_days_mean: float | None  # actual - quoted, mean (negative = early)


@dataclass
class LeadTime:
    days: float
    sd: float
    source: str  # "quoted" | "observed" | "observed supplier"
    receipts: int = 0


@dataclass
class LeadTimeBook:
    """Observed lead times: per supplier and product, and a supplier's delay against its quotes."""

    per_product: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    supplier_delay: dict[int, list[float]] = field(default_factory=dict)

    def lead_time(self, supplier_id: int, product_id: int, quoted_days: float, min_receipts: int) -> LeadTime:
        own = self.per_product.get((supplier_id, product_id), [])
        if len(own) >= min_receipts:
            return LeadTime(float(np.mean(own)), float(np.std(own, ddof=1)), "observed", len(own))
        delays = self.supplier_delay.get(supplier_id, [])
        if len(delays) >= min_receipts:
            return LeadTime(max(0.0, quoted_days + float(np.mean(delays))), float(np.std(delays, ddof=1)),
                            "observed supplier", len(delays))
        return LeadTime(float(quoted_days), 0.0, "quoted", len(own))


async def load_deliveries(session: AsyncSession, supplier_id: int | None = None, since: date | None = None) -> list[Delivery]:
    moves = (await session.exec(
        select(StockMove.document, StockMove.product_id, StockMove.quantity, StockMove.created_at)
        .where(StockMove.reason == "receipt", StockMove.document.is_not(None))
    )).all()
    received: dict[tuple[str, int], float] = defaultdict(float)
    first: dict[tuple[str, int], date] = {}
    for doc, pid, qty, created in moves:
        key = (doc, pid)
        received[key] += float(qty)
        day = created.date()
        if key not in first or day < first[key]:
            first[key] = day

    stmt = (select(PurchaseOrder, PurchaseOrderLine)
            .join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
            .where(PurchaseOrder.status.in_(["sent", "partially_received", "received"])))
    if supplier_id is not None:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if since is not None:
        stmt = stmt.where(PurchaseOrder.order_date >= since)
    rows = (await session.exec(stmt)).all()
    quoted = {(sp.supplier_id, sp.product_id): sp.lead_time_days
              for sp in (await session.exec(select(SupplierProduct))).all()}

    ordered: dict[tuple[int, int], float] = defaultdict(float)
    pos: dict[int, PurchaseOrder] = {}
    for po, line in rows:
        ordered[(po.id, line.product_id)] += float(line.quantity)
        pos[po.id] = po
    out = []
    for (po_id, pid), qty in ordered.items():
        po = pos[po_id]
        order_day = po.order_date or (po.created_at.date() if po.created_at else None)
        if po.expected_date and order_day:
            q_days: float | None = float((po.expected_date - order_day).days)
        else:
            q = quoted.get((po.supplier_id, pid))
            q_days = float(q) if q is not None else None
        expected = po.expected_date or (order_day + timedelta(days=q_days) if order_day and q_days is not None else None)
        key = (po.number, pid)
        out.append(Delivery(po.supplier_id, pid, po.number, qty, received.get(key, 0.0), order_day, expected,
                            first.get(key), q_days))
    return out


async def lead_time_book(session: AsyncSession) -> LeadTimeBook:
    book = LeadTimeBook()
    per_product: dict[tuple[int, int], list[float]] = defaultdict(list)
    delay: dict[int, list[float]] = defaultdict(list)
    for d in await load_deliveries(session):
        if d.actual_days is None:
            continue
        per_product[(d.supplier_id, d.product_id)].append(d.actual_days)
        if d.quoted_days is not None:
            delay[d.supplier_id].append(d.actual_days - d.quoted_days)
    book.per_product, book.supplier_delay = dict(per_product), dict(delay)
    return book


async def supplier_performance(session: AsyncSession, supplier_code: str | None = None, *, since: date | None = None,
                               today: date | None = None) -> list[SupplierPerformance]:
    """On-time rate, fill rate and actual against quoted lead time, per supplier (or one)."""
    today = today or date.today()
    stmt = select(Supplier).order_by(Supplier.code)
    if supplier_code is not None:
        stmt = stmt.where(Supplier.code == supplier_code)
    suppliers = (await session.exec(stmt)).all()
    if supplier_code is not None and not suppliers:
        raise NotFound(N_("No supplier with code {code}."), code=supplier_code)
    only = suppliers[0].id if supplier_code is not None else None
    by_supplier: dict[int, list[Delivery]] = defaultdict(list)
    for d in await load_deliveries(session, only, since):
        by_supplier[d.supplier_id].append(d)

    out = []
    for s in suppliers:
        ds = by_supplier.get(s.id, [])
        got = [d for d in ds if d.first_receipt is not None]
        timed = [d.on_time for d in got if d.on_time is not None]
        # Fill rate only over orders that should be complete by now.
        due = [d for d in ds if d.first_receipt is not None or (d.expected_date and d.expected_date < today)]
        ordered = sum(d.ordered for d in due)
        actual = [d.actual_days for d in got if d.actual_days is not None]
        quoted = [d.quoted_days for d in got if d.actual_days is not None and d.quoted_days is not None]
        late = [d.actual_days - d.quoted_days for d in got if d.actual_days is not None and d.quoted_days is not None]
        out.append(SupplierPerformance(
            supplier_id=s.id, code=s.code, name=s.name, deliveries=len(got),
            on_time_rate=(sum(timed) / len(timed)) if timed else None,
            fill_rate=(sum(min(d.received, d.ordered) for d in due) / ordered) if ordered > 0 else None,
            lead_time_actual_days=float(np.mean(actual)) if actual else None,
            lead_time_actual_sd=float(np.std(actual, ddof=1)) if len(actual) > 1 else None,
            lead_time_quoted_days=float(np.mean(quoted)) if quoted else None,
            late_days_mean=float(np.mean(late)) if late else None,
        ))
    return out
