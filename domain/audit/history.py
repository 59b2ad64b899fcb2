"""Who changed order 1042? The latest audit entries of one record, for managers.

The record is named the way people name it (order number, SKU, customer code or
name, a person's name, a deal's number); one that has since been deleted is still
found by the reference its entries carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput, N_, NotFound
from ..models import (
    AuditEntry, ClientGroup, Customer, Deal, Invoice, Location, Product, PurchaseOrder, Receipt, Supplier, Transfer, User,
    Warehouse,
)
from ..permissions import require

# What /history can be asked about (the entities of subjects.py), and other words for them.
KINDS = ("order", "deal", "product", "customer", "person", "invoice", "purchase_order", "supplier", "location",
         "warehouse", "receipt", "transfer", "count", "group", "mailing", "stock_move", "reminder", "invite", "phone")
ALIASES = {"orders": "order", "so": "order", "deals": "deal", "products": "product", "sku": "product", "item": "product",
           "customers": "customer", "client": "customer", "user": "person", "people": "person", "staff": "person",
           "po": "purchase_order", "purchase": "purchase_order", "bin": "location", "move": "stock_move",
           "stock": "stock_move", "inventory_count": "count"}


@dataclass(frozen=True)
class Item:
    at: datetime
    actor: str
    actor_user_id: int | None
    channel: str
    part: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class History:
    entity: str
    entity_id: str
    ref: str  # how the record is called: order number, SKU, name
    items: list[Item]  # latest first
    total: int


def parse_kind(word: str) -> str:
    key = word.strip().lower().replace(" ", "_").replace("-", "_")
    kind = ALIASES.get(key, key)
    if kind not in KINDS:
        raise InvalidInput(N_("I keep no history of \u201c{kind}\u201d. Ask about an order, deal, product, customer or person."),
                           kind=word)
    return kind


async def history(session: AsyncSession, actor: User, kind: str, ref: str, *, limit: int = 10) -> History:
    require(actor, "view_history")
    kind, ref = parse_kind(kind), (ref or "").strip().lstrip("#").strip()
    if not ref:
        raise InvalidInput(N_("Which one? E.g. /history order 1042."))
    found = await _resolve(session, kind, ref)
    if found is None:
        found = await _by_logged_label(session, kind, ref)
    if found is None:
        raise NotFound(N_("I found no {kind} {ref}."), kind=kind, ref=ref)
    entity_id, name = found
    where = (AuditEntry.entity == kind, AuditEntry.entity_id == entity_id)
    rows = (await session.exec(select(AuditEntry).where(*where)
                               .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))).all()
    total = (await session.exec(select(func.count()).select_from(AuditEntry).where(*where))).one()
    items = [Item(r.at, r.actor, r.actor_user_id, r.channel, r.part, r.action, r.before, r.after) for r in rows]
    return History(entity=kind, entity_id=entity_id, ref=name, items=items, total=total)


async def _first(session: AsyncSession, stmt) -> Any:
    return (await session.exec(stmt.limit(2))).all()


def _ci(column, value: str):
    return func.lower(column) == value.lower()


async def _one_by_name(session: AsyncSession, model, name_col, ref: str, code_col=None):
    """Exact code, exact name (any case), then the only name containing the words."""
    for cond in ([_ci(code_col, ref)] if code_col is not None else []) + [_ci(name_col, ref)]:
        rows = await _first(session, select(model).where(cond))
        if len(rows) == 1:
            return rows[0]
    rows = await _first(session, select(model).where(func.lower(name_col).contains(ref.lower())))
    if len(rows) > 1:
        raise InvalidInput(N_("More than one match for {ref}: please be more precise."), ref=ref)
    return rows[0] if rows else None


async def _resolve(session: AsyncSession, kind: str, ref: str) -> tuple[str, str] | None:
    """(entity id as logged, the record's name) of a record that exists now."""
    digits = ref.isdigit()
    if kind == "order":
        from ..orders.lifecycle import get_order

        try:
            order = await get_order(session, ref)
        except NotFound:
            return None
        return str(order.id), order.number
    if kind == "deal":
        deal = await session.get(Deal, int(ref)) if digits else await _one_by_name(session, Deal, Deal.title, ref)
        return (str(deal.id), str(deal.id)) if deal else None
    if kind == "person":
        user = await session.get(User, int(ref)) if digits else await _one_by_name(session, User, User.name, ref)
        return (str(user.id), user.name) if user else None
    named = {"product": (Product, Product.name, Product.sku, "sku"), "customer": (Customer, Customer.name, Customer.code, "code"),
             "supplier": (Supplier, Supplier.name, Supplier.code, "code"), "warehouse": (Warehouse, Warehouse.name, Warehouse.code, "code"),
             "group": (ClientGroup, ClientGroup.name, None, "name")}
    if kind in named:
        model, name_col, code_col, shown = named[kind]
        row = await _one_by_name(session, model, name_col, ref, code_col)
        return (str(row.id), getattr(row, shown)) if row else None
    numbered = {"invoice": Invoice, "purchase_order": PurchaseOrder, "receipt": Receipt, "transfer": Transfer}
    if kind in numbered:
        model = numbered[kind]
        row = (await _first(session, select(model).where(_ci(model.number, ref))))
        return (str(row[0].id), row[0].number) if row else None
    if kind == "location":
        rows = await _first(session, select(Location).where(_ci(Location.code, ref)))
        if len(rows) > 1:
            raise InvalidInput(N_("More than one match for {ref}: please be more precise."), ref=ref)
        return (str(rows[0].id), rows[0].code) if rows else None
    if kind == "phone":
        return ref.replace(" ", ""), ref.replace(" ", "")
    # count, mailing, stock_move, reminder, invite: by number
    return (ref, ref) if digits else None


async def _by_logged_label(session: AsyncSession, kind: str, ref: str) -> tuple[str, str] | None:
    """A record deleted since: the latest entry that called it `ref`."""
    row = (await session.exec(select(AuditEntry.entity_id, AuditEntry.label)
                              .where(AuditEntry.entity == kind, sa.func.lower(AuditEntry.label) == ref.lower())
                              .order_by(AuditEntry.id.desc()).limit(1))).first()
    return (row[0], row[1]) if row else None
