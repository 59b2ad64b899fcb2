"""Turning approved suggestions into draft purchase orders, one per supplier and warehouse."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, NotFound, N_
from ..models import (PlanRun, PlanSuggestion, Product, PurchaseOrder, PurchaseOrderLine, ReorderRule,
                      SupplierProduct, Warehouse, utcnow)
from .run import OPEN_PO_STATUSES


async def _open_quantity(session: AsyncSession, product_id: int, warehouse_id: int) -> Decimal:
    """On order plus in drafts: a draft is not on order for planning, but ordering its product again would double it."""
    rows = (await session.exec(
        select(PurchaseOrderLine.quantity, PurchaseOrderLine.received_quantity)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(PurchaseOrderLine.product_id == product_id, PurchaseOrder.warehouse_id == warehouse_id,
               PurchaseOrder.status.in_(OPEN_PO_STATUSES + ("draft",)))
    )).all()
    return sum((max(q - r, Decimal(0)) for q, r in rows), Decimal(0))


async def _next_po_number(session: AsyncSession, today: date) -> str:
    prefix = f"PO-{today:%Y%m%d}-"
    numbers = (await session.exec(select(PurchaseOrder.number).where(PurchaseOrder.number.startswith(prefix)))).all()
    used = [int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()]
    return f"{prefix}{max(used, default=0) + 1:03d}"


async def approve_suggestions(session: AsyncSession, suggestion_ids: list[int] | None = None, *,
                              run_id: int | None = None, today: date | None = None,
                              supplier_id: int | None = None) -> list[PurchaseOrder]:
    """Creates draft purchase orders from suggestions: the given ones, or every open
    suggestion of a run (default: the latest run), or of one supplier in it. Flushes; the caller commits.

    A suggestion whose product got more on order since the run (someone ordered it
    meanwhile) is marked skipped instead of ordered: the same shortfall is never
    ordered twice."""
    today = today or datetime.now(timezone.utc).date()
    if suggestion_ids is not None:
        if not suggestion_ids:
            raise InvalidInput(N_("No suggestions chosen."))
        # Locked (PostgreSQL; SQLite writers are serialised anyway): two people tapping
        # "approve" at once must not both order.
        chosen = (await session.exec(select(PlanSuggestion).where(PlanSuggestion.id.in_(suggestion_ids))
                                     .with_for_update())).all()
        missing = sorted(set(suggestion_ids) - {s.id for s in chosen})
        if missing:
            raise NotFound(N_("No plan suggestion {ids}."), ids=", ".join(map(str, missing)))
        done = [s.id for s in chosen if s.status != "open"]
        if done:
            raise Conflict(N_("Suggestion {ids} was already approved or skipped."), ids=", ".join(map(str, done)))
        no_supplier = [s.id for s in chosen if s.supplier_id is None]
        if no_supplier:
            raise InvalidInput(N_("Suggestion {ids} has no supplier: add one for the product first."),
                               ids=", ".join(map(str, no_supplier)))
    else:
        if run_id is None:
            run_id = (await session.exec(select(PlanRun.id).order_by(PlanRun.id.desc()))).first()
            if run_id is None:
                raise NotFound(N_("No planning run yet."))
        stmt = select(PlanSuggestion).where(PlanSuggestion.run_id == run_id, PlanSuggestion.status == "open",
                                            PlanSuggestion.supplier_id.is_not(None))
        if supplier_id is not None:
            stmt = stmt.where(PlanSuggestion.supplier_id == supplier_id)
        chosen = (await session.exec(stmt.order_by(PlanSuggestion.id).with_for_update())).all()

    groups: dict[tuple[int, int], list[PlanSuggestion]] = defaultdict(list)
    for s in sorted(chosen, key=lambda s: s.id):
        if await _open_quantity(session, s.product_id, s.warehouse_id) > s.on_order:
            s.status = "skipped"  # covered by an order placed after the run
            session.add(s)
            continue
        groups[(s.supplier_id, s.warehouse_id)].append(s)

    orders = []
    for (supplier_id, warehouse_id), items in sorted(groups.items()):
        terms = {sp.product_id: sp for sp in (await session.exec(select(SupplierProduct).where(
            SupplierProduct.supplier_id == supplier_id,
            SupplierProduct.product_id.in_([s.product_id for s in items])))).all()}
        lead = max((terms[s.product_id].lead_time_days for s in items if s.product_id in terms), default=0)
        po = PurchaseOrder(number=await _next_po_number(session, today), supplier_id=supplier_id,
                           warehouse_id=warehouse_id, status="draft", order_date=today,
                           expected_date=today + timedelta(days=lead))
        session.add(po)
        await session.flush()
        for n, s in enumerate(items, start=1):
            sp = terms.get(s.product_id)
            session.add(PurchaseOrderLine(po_id=po.id, line_no=n, product_id=s.product_id, quantity=s.suggested_qty,
                                          price=sp.price if sp else None))
            s.status, s.po_id = "approved", po.id
            session.add(s)
        orders.append(po)
    await session.flush()
    return orders


async def set_reorder_rule(session: AsyncSession, sku: str, warehouse_code: str, min_qty: Decimal | int | float,
                           max_qty: Decimal | int | float) -> ReorderRule:
    """Sets (or replaces) the min/max of a product in a warehouse, e.g. the one a plan suggested."""
    min_qty, max_qty = Decimal(str(min_qty)), Decimal(str(max_qty))
    if min_qty < 0 or max_qty < min_qty:
        raise InvalidInput(N_("Min must be at least 0 and max at least min (got {min} / {max})."),
                           min=min_qty, max=max_qty)
    product = (await session.exec(select(Product).where(Product.sku == sku))).first()
    if product is None:
        raise NotFound(N_("No product with SKU {sku}."), sku=sku)
    wh = (await session.exec(select(Warehouse).where(Warehouse.code == warehouse_code))).first()
    if wh is None:
        raise NotFound(N_("No warehouse with code {code}."), code=warehouse_code)
    rule = (await session.exec(select(ReorderRule).where(ReorderRule.product_id == product.id,
                                                         ReorderRule.warehouse_id == wh.id))).first()
    if rule is None:
        rule = ReorderRule(product_id=product.id, warehouse_id=wh.id)
    rule.min_qty, rule.max_qty, rule.updated_at = min_qty, max_qty, utcnow()
    session.add(rule)
    await session.flush()
    return rule
