"""The planning run: reads demand, stock and open orders from the database,
forecasts and applies the policy to every product x warehouse at once, and
records the suggestions so a person can approve them later.

    result = await run_plan(session, warehouse_code=None)
    await session.commit()   # the run and its suggestions are kept
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from typing import Callable

import numpy as np
import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import NotFound, N_
from ..models import (BillOfMaterial, Location, LocationKind, PlanRun, PlanSuggestion, Product, PurchaseOrder,
                      PurchaseOrderLine, ReorderRule, SalesOrder, SalesOrderLine, Shipment, ShipmentLine, StockQuant,
                      Supplier, SupplierProduct, Warehouse)
from .bom import explode
from .config import PlanningConfig
from .demand import imported_history
from .forecast import forecast
from .policy import plan_policy
from .reasons import explain
from .suppliers import lead_time_book
from ..purchasing.orders import ON_ORDER_STATUSES

# Only orders the supplier knows about are on order; a draft is an intention (domain/purchasing/orders.py).
OPEN_PO_STATUSES = ON_ORDER_STATUSES
# Orders that still hold stock or are owed goods (draft ones commit nothing yet).
COMMITTED_ORDER_STATUSES = ("confirmed", "reserved", "picking", "packed", "partially_shipped")
Progress = Callable[[str, int, int], None]  # (step, done, total)
STEPS = ("read", "forecast", "policy", "save")


@dataclass
class PlanLine:
    """One product in one warehouse: its forecast, policy and what to order."""

    product_id: int
    sku: str
    name: str
    warehouse_id: int
    warehouse: str
    supplier_id: int | None
    supplier: str | None
    method: str
    forecast_per_day: float
    dependent_per_day: float  # part of the forecast that comes from kits/assemblies
    parents: list[str]
    sigma_per_day: float
    history_days: int
    lead_time_days: float
    lead_time_sd: float
    lead_time_source: str  # quoted | observed | observed supplier | default
    lead_time_receipts: int
    service_level: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    has_rule: bool
    suggested_min: float | None
    suggested_max: float | None
    on_hand: float
    kit_stock: float  # component units held inside kits on hand
    on_order: float
    reserved: float  # reserved in bins for orders
    projected: float
    need: float
    suggested_qty: float
    moq: float
    pack_multiple: float
    price: float | None
    is_kit: bool  # made from components, not bought: planned through them
    arrivals: list[tuple[date | None, float]] = field(default_factory=list)  # open PO lines still to come
    picked: float = 0.0  # picked or packed for open orders, not shipped: on hand but no longer available
    backordered: float = 0.0  # owed to customers and not yet reserved or picked: demand waiting for stock
    reason: str = ""
    suggestion_id: int | None = None

    def contract(self) -> dict:
        """The `qm plan --json` line (data.md, "Planning output")."""
        return {
            "sku": self.sku, "warehouse": self.warehouse, "supplier": self.supplier, "method": self.method,
            "forecast_per_day": round(self.forecast_per_day, 2), "lead_time_days": _num(self.lead_time_days, 1),
            "safety_stock": _num(self.safety_stock), "reorder_point": _num(self.reorder_point),
            "on_hand": _num(self.on_hand), "on_order": _num(self.on_order), "reserved": _num(self.reserved),
            "picked": _num(self.picked), "backordered": _num(self.backordered),
            "projected": _num(self.projected), "suggested_qty": _num(self.suggested_qty), "reason": self.reason,
        }


def _num(x: float, digits: int = 3) -> int | float:
    x = round(float(x), digits)
    return int(x) if x == int(x) else x


def distinct_products(lines) -> int:
    """Products among plan lines: a product short in two warehouses is two lines but one product."""
    return len({ln.sku for ln in lines})


@dataclass
class PlanResult:
    lines: list[PlanLine]  # every product x warehouse with demand, stock, orders or a rule
    suggestions: list[PlanLine]  # the lines with something to order, most urgent first
    products: int  # products planned
    suppliers: int  # suppliers in the suggestions
    seconds: float
    run_id: int | None
    today: date

    @property
    def products_to_order(self) -> int:
        return distinct_products(self.suggestions)

    def summary(self) -> dict:
        return {"summary": {"products": self.products, "suggestions": len(self.suggestions),
                            "suppliers": self.suppliers, "seconds": round(self.seconds, 3)}}


def _f(x) -> float:
    return float(x) if x is not None else 0.0


async def run_plan(session: AsyncSession, warehouse_code: str | None = None, progress: Progress | None = None, *,
                   config: PlanningConfig | None = None, today: date | None = None, save: bool = True) -> PlanResult:
    """Plans every active product in every warehouse (or one). Flushes a PlanRun and
    its PlanSuggestions when `save`; the caller commits."""
    started = time.perf_counter()
    cfg = config or PlanningConfig()
    today = today or datetime.now(timezone.utc).date()
    tick = progress or (lambda step, done, total: None)
    tick("read", 0, len(STEPS))

    grid = await _grid(session, warehouse_code)
    hist = await _history(session, grid, cfg.history_days, today)
    pos = await _positions(session, grid)
    kits = await _kits(session, grid, hist, pos)
    if kits.dependent is not None:
        hist += kits.dependent
    tick("forecast", 1, len(STEPS))

    fc = forecast(hist, ma_windows=cfg.ma_windows, ses_alphas=cfg.ses_alphas, croston_alpha=cfg.croston_alpha,
                  horizon=cfg.backtest_days, windows=cfg.backtest_windows, intermittent_adi=cfg.intermittent_adi,
                  variability_days=cfg.variability_days)
    tick("policy", 2, len(STEPS))

    src = await _sourcing(session, grid, cfg)
    pol = plan_policy(demand_per_day=fc.per_day, sigma_per_day=fc.sigma, lead_time_days=src.lt, lead_time_sd=src.lt_sd,
                      service_level=src.level, review_days=cfg.review_days, on_hand=pos.on_hand + kits.stock,
                      on_order=pos.on_order, reserved=pos.reserved + pos.picked + pos.backordered, moq=src.moq,
                      multiple=src.mult, rule_min=pos.rule_min, rule_max=pos.rule_max)
    tick("save", 3, len(STEPS))

    lines = _lines(grid, hist, pos, kits, src, fc, pol, today)
    # Most urgent first: the fewest days of cover left.
    sugg = sorted((ln for ln in lines if ln.suggested_qty > 0), key=lambda ln: (_cover(ln), ln.sku, ln.warehouse))
    run_id = await _save(session, grid, sugg, started, one_warehouse=warehouse_code is not None) if save else None
    seconds = time.perf_counter() - started
    tick("done", len(STEPS), len(STEPS))
    return PlanResult(lines=lines, suggestions=sugg, products=grid.P,
                      suppliers=len({ln.supplier_id for ln in sugg if ln.supplier_id is not None}),
                      seconds=seconds, run_id=run_id, today=today)


@dataclass
class _Grid:
    """The rows planned: row r = product i in warehouse j, r = i * W + j."""

    products: list[Product]
    warehouses: list[Warehouse]  # planned
    all_warehouses: list[Warehouse]
    pidx: dict[int, int]
    widx: dict[int, int]
    p_lookup: np.ndarray
    w_lookup: np.ndarray

    @property
    def P(self) -> int:
        return len(self.products)

    @property
    def W(self) -> int:
        return len(self.warehouses)

    @property
    def R(self) -> int:
        return self.P * self.W

    @property
    def default_wid(self) -> int | None:
        """Orders without a warehouse count in the first one."""
        return self.all_warehouses[0].id if self.all_warehouses else None

    def row(self, pid: int, wid: int | None) -> int | None:
        i, j = self.pidx.get(pid), self.widx.get(wid)
        return None if i is None or j is None else i * self.W + j

    def rows_of(self, pids, wids) -> np.ndarray:
        """row() for whole columns of ids at once (-1: product or warehouse not planned)."""
        p_lookup, w_lookup = self.p_lookup, self.w_lookup
        pids, wids = np.asarray(pids, dtype=np.int64), np.asarray(wids, dtype=np.int64)
        i = np.where(pids < len(p_lookup), p_lookup[np.minimum(pids, len(p_lookup) - 1)], -1)
        j = np.where(wids < len(w_lookup), w_lookup[np.minimum(wids, len(w_lookup) - 1)], -1)
        return np.where((i >= 0) & (j >= 0), i * self.W + j, -1)


async def _grid(session: AsyncSession, warehouse_code: str | None) -> _Grid:
    wh_stmt = select(Warehouse).order_by(Warehouse.id)
    all_warehouses = (await session.exec(wh_stmt)).all()
    if warehouse_code is not None:
        warehouses = [w for w in all_warehouses if w.code == warehouse_code]
        if not warehouses:
            raise NotFound(N_("No warehouse with code {code}."), code=warehouse_code)
    else:
        warehouses = list(all_warehouses)
    products = (await session.exec(select(Product).where(Product.active == True).order_by(Product.id))).all()  # noqa: E712
    pidx = {p.id: i for i, p in enumerate(products)}
    widx = {w.id: j for j, w in enumerate(warehouses)}
    p_lookup = np.full(max(pidx, default=0) + 1, -1, dtype=np.int64)
    p_lookup[list(pidx)] = list(pidx.values())
    w_lookup = np.full(max([w.id for w in all_warehouses], default=0) + 1, -1, dtype=np.int64)
    w_lookup[list(widx)] = list(widx.values())
    return _Grid(products, warehouses, list(all_warehouses), pidx, widx, p_lookup, w_lookup)


async def _history(session: AsyncSession, g: _Grid, T: int, today: date) -> np.ndarray:
    """Demand history (days x rows): shipped order lines by shipped day, plus imported daily history."""
    start = today - timedelta(days=T)
    start_dt = datetime.combine(start, dtime.min, tzinfo=timezone.utc)
    end_dt = datetime.combine(today, dtime.min, tzinfo=timezone.utc)
    hist = np.zeros((T, g.R), dtype=np.float64)
    # Each shipment on its day; orders shipped before shipments were recorded (or imported) on the order's day.
    by_shipment = (select(SalesOrderLine.product_id, SalesOrder.warehouse_id, Shipment.shipped_at, ShipmentLine.quantity)
                   .join(SalesOrderLine, SalesOrderLine.id == ShipmentLine.order_line_id)
                   .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                   .join(SalesOrder, SalesOrder.id == Shipment.order_id)
                   .where(Shipment.shipped_at >= start_dt, Shipment.shipped_at < end_dt, SalesOrder.status != "cancelled"))
    by_order = (select(SalesOrderLine.product_id, SalesOrder.warehouse_id, SalesOrder.shipped_at, SalesOrderLine.shipped_qty)
                .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
                .where(SalesOrderLine.shipped_qty > 0, SalesOrder.shipped_at.is_not(None),
                       SalesOrder.shipped_at >= start_dt, SalesOrder.shipped_at < end_dt, SalesOrder.status != "cancelled",
                       ~sa.exists().where(Shipment.order_id == SalesOrder.id)))
    shipped = [*(await _rows(session, by_shipment)).all(), *(await _rows(session, by_order)).all()]
    for pid, wid, when, qty in shipped:
        r = g.row(pid, wid if wid is not None else g.default_wid)
        if r is not None:
            hist[(when.date() - start).days, r] += float(qty)
    pids, wids, offsets, qtys = await imported_history(session, start, today)
    rows_ = g.rows_of(pids, wids)
    keep = (rows_ >= 0) & (offsets >= 0) & (offsets < T)
    np.add.at(hist, (offsets[keep], rows_[keep]), qtys[keep])
    return hist


@dataclass
class _Positions:
    """Per row: stock, reservations, open orders, open purchase orders, reorder rules."""

    on_hand: np.ndarray
    reserved: np.ndarray
    picked: np.ndarray
    backordered: np.ndarray
    on_order: np.ndarray
    arrivals: dict[int, list[tuple[date | None, float]]]
    rule_min: np.ndarray
    rule_max: np.ndarray


async def _positions(session: AsyncSession, g: _Grid) -> _Positions:
    R = g.R
    on_hand = np.zeros(R)
    reserved = np.zeros(R)
    stock = (await _rows(session,
        select(StockQuant.product_id, Location.warehouse_id, StockQuant.quantity, StockQuant.reserved)
        .join(Location, Location.id == StockQuant.location_id)
        .where(Location.warehouse_id.is_not(None), Location.kind != LocationKind.quarantine.value)
    )).all()
    for pid, wid, qty, res in stock:
        r = g.row(pid, wid)
        if r is not None:
            on_hand[r] += _f(qty)
            reserved[r] += _f(res)
    # Open orders: goods picked or packed and not shipped sit in the warehouse but are the customer's;
    # what is owed and neither reserved nor picked is demand waiting for stock (a backorder).
    picked = np.zeros(R)
    backordered = np.zeros(R)
    open_orders = (await _rows(session,
        select(SalesOrderLine.product_id, SalesOrder.warehouse_id, SalesOrderLine.quantity, SalesOrderLine.cancelled_qty,
               SalesOrderLine.reserved_qty, SalesOrderLine.picked_qty, SalesOrderLine.shipped_qty)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrder.status.in_(COMMITTED_ORDER_STATUSES))
    )).all()
    for pid, wid, qty, cancelled, res, pick, ship in open_orders:
        r = g.row(pid, wid if wid is not None else g.default_wid)
        if r is not None:
            picked[r] += max(_f(pick) - _f(ship), 0.0)
            backordered[r] += max(_f(qty) - _f(cancelled) - _f(res) - _f(pick), 0.0)
    on_order = np.zeros(R)
    arrivals: dict[int, list[tuple[date | None, float]]] = defaultdict(list)
    open_lines = (await _rows(session,
        select(PurchaseOrderLine.product_id, PurchaseOrder.warehouse_id, PurchaseOrderLine.quantity,
               PurchaseOrderLine.received_quantity, PurchaseOrder.expected_date)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(PurchaseOrder.status.in_(OPEN_PO_STATUSES))
    )).all()
    for pid, wid, qty, rec, expected in open_lines:
        r = g.row(pid, wid)
        left = max(_f(qty) - _f(rec), 0.0)
        if r is not None and left > 0:
            on_order[r] += left
            arrivals[r].append((expected, left))
    rule_min = np.full(R, np.nan)
    rule_max = np.full(R, np.nan)
    for rule in (await session.exec(select(ReorderRule))).all():
        r = g.row(rule.product_id, rule.warehouse_id)
        if r is not None:
            rule_min[r], rule_max[r] = float(rule.min_qty), float(rule.max_qty)
    return _Positions(on_hand, reserved, picked, backordered, on_order, arrivals, rule_min, rule_max)


@dataclass
class _Kits:
    tree: dict  # parent product id -> {component id: quantity per parent}
    dependent: np.ndarray | None  # components' demand from their parents (days x rows); None without kits
    stock: np.ndarray  # component units held inside kits on hand, per row
    parents_of: dict[int, list[str]]
    rows: np.ndarray  # bool per row: a kit (made from components, not bought)


async def _kits(session: AsyncSession, g: _Grid, hist: np.ndarray, pos: _Positions) -> _Kits:
    """Kits and assemblies: parents' demand and stock flow down to components."""
    W, pidx = g.W, g.pidx
    names = {p.id: p.sku for p in g.products}
    boms = (await session.exec(select(BillOfMaterial))).all()
    tree = explode([(b.parent_product_id, b.component_product_id, b.quantity) for b in boms], names)
    own = hist.copy() if tree else hist  # parents' own demand, before components receive theirs
    kit_stock = np.zeros(g.R)
    dependent = np.zeros((hist.shape[0], g.R)) if tree else None
    parents_of: dict[int, list[str]] = defaultdict(list)
    for parent, comps in tree.items():
        if parent not in pidx:
            continue
        for comp, per in comps.items():
            if comp not in pidx:
                continue
            parents_of[comp].append(names[parent])
            for j in range(W):
                rp, rc = pidx[parent] * W + j, pidx[comp] * W + j
                dependent[:, rc] += own[:, rp] * per
                kit_stock[rc] += (pos.on_hand[rp] + pos.on_order[rp] - pos.reserved[rp] - pos.picked[rp]
                                  - pos.backordered[rp]) * per
    kit_rows = np.zeros(g.R, dtype=bool)
    for parent in tree:
        if parent in pidx:
            kit_rows[pidx[parent] * W:(pidx[parent] + 1) * W] = True
    return _Kits(tree, dependent, kit_stock, parents_of, kit_rows)


@dataclass
class _Sourcing:
    """Supplier per product (preferred, then cheapest, then fastest) and what follows from it per row."""

    best: dict[int, SupplierProduct]
    suppliers: dict[int, Supplier]
    lt: np.ndarray  # lead time, days
    lt_sd: np.ndarray
    lt_src: list[str]  # per product
    lt_n: list[int]  # per product
    moq: np.ndarray
    mult: np.ndarray
    level: np.ndarray  # service level


async def _sourcing(session: AsyncSession, g: _Grid, cfg: PlanningConfig) -> _Sourcing:
    R, W, P = g.R, g.W, g.P
    sps = (await session.exec(select(SupplierProduct))).all()
    suppliers = {s.id: s for s in (await session.exec(select(Supplier))).all()}
    best: dict[int, SupplierProduct] = {}
    for sp in sorted(sps, key=lambda s: (not s.preferred, s.price is None, s.price or 0, s.lead_time_days, s.id)):
        best.setdefault(sp.product_id, sp)
    book = await lead_time_book(session)
    out = _Sourcing(best, suppliers, lt=np.full(R, float(cfg.default_lead_time_days)), lt_sd=np.zeros(R),
                    lt_src=["default"] * P, lt_n=[0] * P, moq=np.ones(R), mult=np.ones(R), level=np.empty(R))
    for i, p in enumerate(g.products):
        sp = best.get(p.id)
        sl = cfg.service_level_for(p.service_level)
        sl_rows = slice(i * W, (i + 1) * W)
        out.level[sl_rows] = sl
        if sp is not None:
            lead = book.lead_time(sp.supplier_id, p.id, float(sp.lead_time_days), cfg.lead_time_min_receipts)
            out.lt[sl_rows], out.lt_sd[sl_rows] = lead.days, lead.sd
            out.lt_src[i], out.lt_n[i] = lead.source, lead.receipts
            out.moq[sl_rows], out.mult[sl_rows] = float(sp.moq), float(sp.pack_multiple)
    return out


def _lines(g: _Grid, hist: np.ndarray, pos: _Positions, kits: _Kits, src: _Sourcing, fc, pol, today: date
           ) -> list[PlanLine]:
    """A line for every row with anything going on."""
    R, W = g.R, g.W
    suggested = np.where(kits.rows, 0.0, pol.suggested)  # kits are made from components, not bought
    need = np.where(kits.rows, 0.0, pol.need)
    total = hist.sum(axis=0)
    dep_total = kits.dependent.sum(axis=0) if kits.dependent is not None else np.zeros(R)
    active = ((total > 0) | (pos.on_hand != 0) | (pos.on_order > 0) | (pos.reserved > 0) | (pos.backordered > 0)
              | ~np.isnan(pos.rule_min) | (suggested > 0))
    lines: list[PlanLine] = []
    for r in np.flatnonzero(active):
        i, j = divmod(int(r), W)
        p, w = g.products[i], g.warehouses[j]
        sp = src.best.get(p.id)
        has_rule = not np.isnan(pos.rule_min[r])
        line = PlanLine(
            product_id=p.id, sku=p.sku, name=p.name, warehouse_id=w.id, warehouse=w.code,
            supplier_id=sp.supplier_id if sp else None, supplier=src.suppliers[sp.supplier_id].code if sp else None,
            method=str(fc.method[r]), forecast_per_day=float(fc.per_day[r]),
            dependent_per_day=float(fc.per_day[r] * dep_total[r] / total[r]) if total[r] > 0 else 0.0,
            parents=sorted(kits.parents_of.get(p.id, [])), sigma_per_day=float(fc.sigma[r]), history_days=hist.shape[0],
            lead_time_days=float(src.lt[r]), lead_time_sd=float(src.lt_sd[r]), lead_time_source=src.lt_src[i],
            lead_time_receipts=src.lt_n[i], service_level=float(src.level[r]),
            safety_stock=float(pol.safety_stock[r]), reorder_point=float(pol.reorder_point[r]),
            order_up_to=float(pol.order_up_to[r]), has_rule=has_rule,
            suggested_min=None if has_rule else float(pol.suggested_min[r]),
            suggested_max=None if has_rule else float(pol.suggested_max[r]),
            on_hand=float(pos.on_hand[r]), kit_stock=float(kits.stock[r]), on_order=float(pos.on_order[r]),
            reserved=float(pos.reserved[r]), projected=float(pol.projected[r]), need=float(need[r]),
            suggested_qty=float(suggested[r]), moq=float(src.moq[r]), pack_multiple=float(src.mult[r]),
            price=float(sp.price) if sp and sp.price is not None else None, is_kit=bool(kits.rows[r]),
            arrivals=sorted(pos.arrivals.get(int(r), []), key=lambda a: (a[0] is None, a[0] or today)),
            picked=float(pos.picked[r]), backordered=float(pos.backordered[r]),
        )
        line.reason = explain(line)  # English, stored; the chat re-renders it in the reader's language
        lines.append(line)
    return lines


def _cover(line: PlanLine) -> float:
    """Days of cover left (no forecast: below every line that has one, lowest projected first)."""
    return line.projected / line.forecast_per_day if line.forecast_per_day > 0 else -1e9 + line.projected


async def _save(session: AsyncSession, g: _Grid, sugg: list[PlanLine], started: float, *, one_warehouse: bool) -> int:
    """The run and its suggestions, flushed; each suggestion line gets its suggestion_id. Returns the run's id."""
    run = PlanRun(warehouse_id=g.warehouses[0].id if one_warehouse else None, products=g.P, suggestions=len(sugg))
    session.add(run)
    await session.flush()
    values = [dict(
        run_id=run.id, product_id=ln.product_id, warehouse_id=ln.warehouse_id, supplier_id=ln.supplier_id,
        method=ln.method, forecast_per_day=ln.forecast_per_day, lead_time_days=ln.lead_time_days,
        safety_stock=_dec(ln.safety_stock), reorder_point=_dec(ln.reorder_point), order_up_to=_dec(ln.order_up_to),
        on_hand=_dec(ln.on_hand), on_order=_dec(ln.on_order), reserved=_dec(ln.reserved),
        projected=_dec(ln.projected), suggested_qty=_dec(ln.suggested_qty),
        suggested_min=None if ln.suggested_min is None else _dec(ln.suggested_min),
        suggested_max=None if ln.suggested_max is None else _dec(ln.suggested_max),
        reason=ln.reason, status="open", po_id=None) for ln in sugg]
    if values:
        # One executemany, then the ids in one query (a run has one suggestion per
        # product and warehouse): far fewer round trips than an ORM object or a
        # RETURNING row each, which SQLite would send one by one.
        conn = await session.connection()
        await conn.execute(sa.insert(PlanSuggestion), values)
        ids = {(pid, wid): sid for sid, pid, wid in (await conn.execute(
            sa.select(PlanSuggestion.id, PlanSuggestion.product_id, PlanSuggestion.warehouse_id)
            .where(PlanSuggestion.run_id == run.id))).all()}
        for ln in sugg:
            ln.suggestion_id = ids[(ln.product_id, ln.warehouse_id)]
    run.seconds = time.perf_counter() - started
    session.add(run)
    await session.flush()
    return run.id


async def _rows(session: AsyncSession, stmt):
    """Plain tuples through Core in the session's transaction: twice as fast as ORM rows for bulk reads."""
    return await (await session.connection()).execute(stmt)


def _dec(x: float) -> Decimal:
    return Decimal(str(round(float(x), 3)))
