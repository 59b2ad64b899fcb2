"""Who changed order 1042? The latest audit entries of one record, for managers.

The record is named the way people name it (order number, SKU, customer code or
name, a person's name, a deal's number); one that has since been deleted is still
found by the reference its entries carry.

Entries are told for people: ids in the logged fields become what people call the
record (a product's SKU, a bin's code, a person's name, an order's number), and a
product's or a bin's history includes the stock moves that touched it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput, N_, NotFound
from ..models import (
    AuditEntry, ClientGroup, Customer, Deal, Invoice, Location, Product, PurchaseOrder, Receipt, SalesOrder, Shipment,
    StockMove, Supplier, Transfer, User, Warehouse,
)
from ..permissions import require
from ..record_labels import record_kind

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
    entity: str = ""  # "stock_move" for a move shown in a product's or bin's history
    entity_id: str = ""


# Logged id fields -> (table, what people call its rows).
NAMED_IDS: dict[str, tuple[type, str]] = {
    **{f: (Product, "sku") for f in ("product_id", "parent_product_id", "component_product_id", "fixed_product_id")},
    **{f: (Location, "code") for f in ("location_id", "from_location_id", "to_location_id", "packing_location_id",
                                       "done_location_id", "transit_location_id")},
    **{f: (User, "name") for f in ("user_id", "picker_id", "owner_id", "created_by_id", "assigned_to_id", "inspected_by_id",
                                   "counted_by_id", "approved_by_id", "received_by_id", "sent_by_id")},
    **{f: (Warehouse, "code") for f in ("warehouse_id", "home_warehouse_id", "from_warehouse_id", "to_warehouse_id")},
    "customer_id": (Customer, "code"), "merged_into_id": (Customer, "code"), "supplier_id": (Supplier, "code"), "order_id": (SalesOrder, "number"),
    "deal_id": (Deal, "title"), "invoice_id": (Invoice, "number"), "credit_note_id": (Invoice, "number"),
    "po_id": (PurchaseOrder, "number"), "shipment_id": (Shipment, "number"),
}


async def name_ids(session: AsyncSession, items: list[Item]) -> list[Item]:
    """The items with logged ids replaced by names (an id whose row is gone stays a number)."""
    wanted: dict[tuple[type, str], set[int]] = {}
    for item in items:
        for values in (item.before, item.after):
            for key, value in (values or {}).items():
                if key in NAMED_IDS and isinstance(value, int) and not isinstance(value, bool):
                    wanted.setdefault(NAMED_IDS[key], set()).add(value)
    names: dict[tuple[type, str], dict[int, str]] = {}
    for (model, attr), ids in wanted.items():
        rows = (await session.exec(select(model.id, getattr(model, attr)).where(model.id.in_(sorted(ids))))).all()
        names[(model, attr)] = {i: n for i, n in rows}

    def named(values):
        if not values:
            return values
        return {k: names.get(NAMED_IDS[k], {}).get(v, v) if k in NAMED_IDS and isinstance(v, int) else v
                for k, v in values.items()}

    return [Item(i.at, i.actor, i.actor_user_id, i.channel, i.part, i.action, named(i.before), named(i.after), i.entity,
                 i.entity_id) for i in items]


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
        raise NotFound(N_("I found no {kind} {ref}."), kind=record_kind(kind), ref=ref)
    entity_id, name = found
    where = sa.and_(AuditEntry.entity == kind, AuditEntry.entity_id == entity_id)
    moves = _moves_of(kind, entity_id)
    if moves is not None:  # a product's or a bin's stock moves are part of its history
        where = sa.or_(where, sa.and_(AuditEntry.entity == "stock_move", AuditEntry.entity_id.in_(moves)))
    rows = (await session.exec(select(AuditEntry).where(where)
                               .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))).all()
    total = (await session.exec(select(func.count()).select_from(AuditEntry).where(where))).one()
    items = [Item(r.at, r.actor, r.actor_user_id, r.channel, r.part, r.action, r.before, r.after, r.entity, r.entity_id)
             for r in rows]
    return History(entity=kind, entity_id=entity_id, ref=name, items=await name_ids(session, items), total=total)


def _moves_of(kind: str, entity_id: str):
    """The logged ids of the stock moves of a product or a bin, as a subquery; None for other kinds."""
    if not entity_id.isdigit() or kind not in ("product", "location"):
        return None
    key = int(entity_id)
    cond = (StockMove.product_id == key if kind == "product"
            else sa.or_(StockMove.from_location_id == key, StockMove.to_location_id == key))
    return select(sa.cast(StockMove.id, sa.String)).where(cond)


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
