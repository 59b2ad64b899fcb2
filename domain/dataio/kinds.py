"""The kinds of data files: their columns, natural keys, references and tables.

A Kind knows how to turn one file row into a table record (parse the cells,
resolve codes such as sku into ids), how to write a chunk of records
(compare with what is stored, upsert what differs) and how to read its table
back in the same columns for export. The generic path covers most kinds;
stock (ledger moves) and the locations' warehouses have their own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..models import (
    BillOfMaterial, Barcode, Contact, Customer, Location, Product, PurchaseOrder, PurchaseOrderLine,
    SalesHistory, SalesOrder, SalesOrderLine, StockQuant, Supplier, SupplierProduct, Warehouse,
)
from ..audit.recorder import Change, meaningful, plain, record
from ..audit.recorder import enabled as audit_enabled
from ..audit.subjects import SUBJECTS
from ..models.inventory import LocationKind
from ..models.sales import OrderStatus
from ..errors import N_, Np_
from ..inventory.reservations import reserve_order
from . import values as v
from .reasons import Reason
from .lookups import KeyedSelect, Lookup, chunks

_MILLI = Decimal("0.001")
_fromisoformat = date.fromisoformat
ORDER_STATUSES = tuple(s.value for s in OrderStatus)
PO_STATUSES = ("draft", "sent", "partially_received", "received", "cancelled")
LOCATION_KINDS = ("storage", "pick", "quarantine", "dock")


class Row:
    """One data row on its way in: raw cells -> parsed values -> table record."""

    __slots__ = ("line", "values", "record", "errors", "notes")

    def __init__(self, line: int):
        self.line = line
        self.values: dict[str, Any] = {}
        self.record: dict[str, Any] = {}
        self.errors: list[Reason] = []
        self.notes: list[Reason] = []


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable  # (raw cell, ctx, row) -> value; raises values.BadValue
    required: bool = False
    field: str | None = None  # model attribute it fills; None when resolved by a Ref


@dataclass(frozen=True)
class Ref:
    column: str  # file column holding a code
    lookup: str  # which Lookup resolves it
    field: str  # model attribute that gets the id
    label: str  # which thing it names, for the message (UNKNOWN)


# A code that names nothing, by what it should name (whole sentences: languages differ in how they say it).
UNKNOWN = {
    "product": N_("{column} {code} is not a known product"),
    "warehouse": N_("{column} {code} is not a known warehouse"),
    "customer": N_("{column} {code} is not a known customer"),
    "supplier": N_("{column} {code} is not a known supplier"),
    "sales order": N_("{column} {code} is not a known sales order"),
    "purchase order": N_("{column} {code} is not a known purchase order"),
}


def unknown(ref_label: str, column: str, code: str) -> Reason:
    return Reason(UNKNOWN[ref_label], column=column, code=repr(code))


def problem(column: str, reason: str) -> Reason:
    """A cell's reason with its column: "price: 'abc' is not a number"."""
    return Reason(N_("{column}: {problem}"), column=column, problem=reason)


SKU_REF = Ref("sku", "product", "product_id", "product")
WAREHOUSE_REF = Ref("warehouse", "warehouse", "warehouse_id", "warehouse")


def order_header(partner: str, statuses: tuple[str, ...], due: str) -> tuple[Column, ...]:
    """The columns of a sales or purchase order file: number, the partner's code, date, status,
    warehouse and the day the goods are due (`due`: the column and field of that name)."""
    return (
        Column("number", TEXT, True, "number"),
        Column(f"{partner}_code", TEXT, True),
        Column("date", DATE, field="order_date"),
        Column("status", _plain(v.one_of(statuses)), field="status"),
        Column("warehouse", TEXT),
        Column(due, DATE, field=due),
    )


def order_lines(number: str, *quantities: str) -> tuple[Column, ...]:
    """The columns of a sales or purchase order's lines file: the order's number (column `number`),
    line, sku, quantity, then the other `quantities` and the price."""
    return (
        Column(number, TEXT, True),
        Column("line", _line_no, True, "line_no"),
        Column("sku", TEXT, True),
        Column("quantity", _positive, True, "quantity"),
        *(Column(q, QTY, field=q) for q in quantities),
        Column("price", MONEY, field="price"),
    )


# --- cell parsers with the context they need --------------------------------

def _plain(fn):
    return lambda raw, ctx, row: fn(raw)


def _dec(fn):
    return lambda raw, ctx, row: fn(raw, from_xlsx=ctx.from_xlsx).quantize(_MILLI, ROUND_HALF_UP)


def _positive(raw, ctx, row):
    q = _dec(v.quantity)(raw, ctx, row)
    if q == 0:
        raise v.BadValue(N_("quantity must be more than zero"))
    return q


def _days(raw, ctx, row):
    n = v.whole(raw, from_xlsx=ctx.from_xlsx)
    if n < 0:
        raise v.BadValue(Np_("{n} day is negative", "{n} days is negative", "n"), n=n)
    return n


def _line_no(raw, ctx, row):
    n = v.whole(raw, from_xlsx=ctx.from_xlsx)
    if n <= 0:
        raise v.BadValue(N_("line number {n} must be 1 or more"), n=n)
    return n


def _customer_phone(raw, ctx, row):
    return v.phone(raw, row.values.get("country") or ctx.country)


def _company_phone(raw, ctx, row):
    return v.phone(raw, ctx.country)


def _barcode(raw, ctx, row):
    code, note = v.barcode(raw)
    if note:
        row.notes.append(note)
    return code


def TEXT(raw, ctx, row):
    return v.short_text(raw if raw.__class__ is str else v.text(raw))  # strings arrive stripped


def DATE(raw, ctx, row):
    if raw.__class__ is str and len(raw) == 10:
        try:
            return _fromisoformat(raw)
        except ValueError:
            pass
    return v.day(raw)


BOOL = _plain(v.boolean)
MONEY = _dec(v.money)
QTY = _dec(v.quantity)


def make_lookups() -> dict[str, Lookup]:
    return {
        "product": Lookup(Product.__table__, ("sku",), ("id",)),
        "warehouse": Lookup(Warehouse.__table__, ("code",), ("id",)),
        "customer": Lookup(Customer.__table__, ("code",), ("id", "country")),
        "supplier": Lookup(Supplier.__table__, ("code",), ("id",)),
        "order": Lookup(SalesOrder.__table__, ("number",), ("id", "status")),
        "purchase_order": Lookup(PurchaseOrder.__table__, ("number",), ("id",)),
        "location": Lookup(Location.__table__, ("warehouse_id", "code"), ("id",)),
    }


class Kind:
    """One kind of data file. The generic path parses, resolves, compares and upserts; a kind with
    steps of its own is a subclass overriding them."""

    def __init__(self, name: str, model: type, columns: tuple[Column, ...], *, key: tuple[str, ...],
                 conflict: tuple[str, ...] | None = None, refs: tuple[Ref, ...] = (),
                 export: Callable[[], sa.Select]):
        self.name, self.model, self.columns = name, model, columns
        self.key = key  # file columns forming the natural key
        self.conflict = conflict or key  # the unique table columns behind it (named as the key's unless ids)
        self.refs = refs
        self._export = export

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def default(self, field: str):
        """What an empty cell stores: the column's default, else NULL."""
        col = self.table.c[field]
        if col.default is not None and col.default.is_scalar:
            return col.default.arg
        return None

    # --- row -> record -------------------------------------------------------

    def parse(self, ctx, line: int, raw: dict) -> Row:
        row = Row(line)
        vals = row.values
        for name, parse, _field, _default in ctx.plan:
            cell = raw.get(name)
            if cell.__class__ is str:
                cell = cell.strip()
                if not cell:
                    cell = None
                elif len(cell) > v.MAX_CELL_CHARS:
                    vals[name] = None
                    row.errors.append(problem(name, v.too_long(len(cell), v.MAX_CELL_CHARS)))
                    continue
                elif cell[0] == "'":
                    cell = v.unquote(cell)
            if cell is None:
                vals[name] = None
                continue
            try:
                vals[name] = parse(cell, ctx, row)
            except v.BadValue as exc:
                vals[name] = None
                row.errors.append(problem(name, exc.reason))
        for col in ctx.required:
            if vals[col.name] is None and not any(e.startswith(col.name + ":") for e in row.errors):
                row.errors.append(Reason(N_("{column} is empty"), column=col.name))
        if not row.errors:
            rec = row.record
            for name, _parse, field, default in ctx.plan:
                if field:
                    value = vals[name]
                    rec[field] = default if value is None else value
        return row

    def parse_plan(self, present: list[Column]) -> list[tuple]:
        """(name, parser, model field, value of an empty cell) for the columns the file has."""
        return [(c.name, c.parse, c.field, self.default(c.field) if c.field else None) for c in present]

    async def resolve(self, ctx, rows: list[Row]) -> None:
        """Replaces codes with ids; a code that names nothing is the row's error."""
        for ref in self.refs:
            if ref.column not in ctx.header_set:
                continue
            lookup = ctx.lookups[ref.lookup]
            await lookup.fetch(ctx.session, (r.values[ref.column] for r in rows if r.values[ref.column] is not None))
            for r in rows:
                code = r.values[ref.column]
                if code is None:
                    r.record[ref.field] = None
                    continue
                hit = lookup.get(code)
                if hit is None:
                    r.errors.append(unknown(ref.label, ref.column, code))
                else:
                    r.record[ref.field] = hit[0]

    def natural_key(self, row: Row) -> tuple:
        return tuple(row.values.get(k) for k in self.key)

    # --- records -> table ----------------------------------------------------

    async def existing(self, ctx, fields: list[str], keys: list[tuple]) -> dict[tuple, tuple]:
        """Stored values of fields for the keys that exist."""
        if await self._was_empty(ctx):
            return {}  # an import into an empty table: every row is new (keys in a file are unique)
        sel = ctx.selects.get((self.name, tuple(fields)))
        if sel is None:
            sel = ctx.selects[(self.name, tuple(fields))] = KeyedSelect(self.table, self.conflict, fields)
        return await sel.fetch(ctx.session, list({k for k in keys if None not in k}))

    async def _was_empty(self, ctx) -> bool:
        if self.name not in ctx.was_empty:
            stmt = sa.select(sa.literal(1)).select_from(self.table).limit(1)
            ctx.was_empty[self.name] = (await ctx.session.exec(stmt)).first() is None
        return ctx.was_empty[self.name]

    async def load(self, ctx, rows: list[Row]) -> list[dict]:
        """Counts created/updated/unchanged; when writing, upserts what differs. Returns changed records."""
        records = [r.record for r in rows]
        if not records:
            return []
        fields = [f for f in records[0] if f not in self.conflict]
        keys = [tuple(rec[c] for c in self.conflict) for rec in records]
        old = await self.existing(ctx, fields, keys)
        changed, stored = [], []
        for rec, k in zip(records, keys):
            before = old.get(k)
            if before is None:
                ctx.summary.created += 1
            elif any(not self.same(f, b, rec[f]) for b, f in zip(before, fields)):
                ctx.summary.updated += 1
            else:
                ctx.summary.unchanged += 1
                continue
            changed.append(rec)
            stored.append(before)
        if ctx.write and changed:
            await self.upsert(ctx, fields, changed)
            await self.audit(ctx, fields, changed, stored)
        return changed

    async def audit(self, ctx, fields: list[str], records: list[dict], stored: list[tuple | None]) -> None:
        """The audit log of an upserted chunk (bulk statements bypass the flush hook): one entry per
        created or changed record, with the fields that changed."""
        subject = SUBJECTS.get(self.model)
        if subject is None or not audit_enabled(ctx.session):
            return
        ids: dict[tuple, tuple] = {}
        if subject.part_of is None:  # a record of its own: its id, which the upsert did not return
            sel = ctx.selects.get((self.name, "id"))
            if sel is None:
                sel = ctx.selects[(self.name, "id")] = KeyedSelect(self.table, self.conflict, ["id"])
            ids = await sel.fetch(ctx.session, [tuple(rec[c] for c in self.conflict) for rec in records])
        hidden = subject.hidden()
        changes = []
        for rec, before in zip(records, stored):
            row = _Record(rec, ids.get(tuple(rec[c] for c in self.conflict), (None,))[0])
            if before is None:
                after = {f: x for f, x in ((f, plain(x)) for f, x in rec.items() if f not in hidden) if meaningful(x)}
                old = None
            else:
                diff = [(f, b) for b, f in zip(before, fields) if f not in hidden and not self.same(f, b, rec[f])]
                old, after = {f: plain(b) for f, b in diff}, {f: plain(rec[f]) for f, _ in diff}
                if not after:
                    continue
            changes.append(Change(entity=subject.entity, entity_id=str(subject.id_of(row)),
                                  label=subject.label_of(row) if subject.label_of and not subject.part_of else None,
                                  part=subject.part_of(row) if subject.part_of else None,
                                  action="created" if before is None else "changed", before=old, after=after))
        await record(ctx.session, changes)

    def same(self, field: str, stored, incoming) -> bool:
        """Whether a stored value already says what the file says."""
        return stored == incoming

    async def upsert(self, ctx, fields: list[str], records: list[dict]) -> None:
        await ctx.database.upsert_rows(await ctx.session.connection(), self.table, self.conflict, fields, records)

    async def finish(self, ctx) -> None:
        """Runs once after the last chunk is written."""

    # --- table -> rows -------------------------------------------------------

    def export_select(self) -> sa.Select:
        """The table's rows in the file's columns."""
        return self._export()


class _Record:
    """A record dict seen as the model object the audit subjects expect (missing fields read None)."""

    __slots__ = ("_rec", "id")

    def __init__(self, rec: dict, id_: int | None):
        self._rec, self.id = rec, id_

    def __getattr__(self, name):
        return self._rec.get(name)


def _plain_export(model, columns, joins=(), order=None, where=None):
    """SELECT columns FROM model, joined to each (target, on, outer), ordered by `order` (the first column)."""
    stmt = sa.select(*columns).select_from(model)
    for target, on, outer in joins:
        stmt = stmt.join(target, on, isouter=outer)
    if where is not None:
        stmt = stmt.where(where)
    return stmt.order_by(*(order or [columns[0]]))


def _order_export(o, partner, partner_on, partner_label, due, *, warehouse_optional):
    """A sales or purchase order file's rows, in the columns of order_header()."""
    w = Warehouse
    return _plain_export(o, [o.number, partner.code.label(partner_label), o.order_date.label("date"), o.status,
                             w.code.label("warehouse"), due],
                         [(partner, partner_on, False), (w, w.id == o.warehouse_id, warehouse_optional)])


def _lines_export(ln, o, order_on, number_label, *quantities):
    """An order's lines file's rows, in the columns of order_lines()."""
    p = Product
    return _plain_export(ln, [o.number.label(number_label), ln.line_no.label("line"), p.sku, ln.quantity, *quantities, ln.price],
                         [(o, order_on, False), (p, p.id == ln.product_id, False)], [o.number, ln.line_no])


# --- each kind's rows for export, in the file's columns -----------------------

def _export_customers() -> sa.Select:
    c, w = Customer, Warehouse
    return _plain_export(c, [c.code, c.name, c.phone, c.email, c.city, c.country, c.language, c.timezone, c.tags,
                             c.sms_consent, w.code.label("home_warehouse")],
                         [(w, w.id == c.home_warehouse_id, True)], [c.code])


def _export_contacts() -> sa.Select:
    c, cu = Contact, Customer
    return _plain_export(c, [cu.code.label("customer_code"), c.phone, c.name, c.role, c.email, c.sms_consent],
                         [(cu, cu.id == c.customer_id, False)], [cu.code, c.phone])


def _export_products() -> sa.Select:
    p = Product
    return _plain_export(p, [p.sku, p.name, p.unit, p.category, p.lot_tracked, p.expiry_tracked, p.price, p.currency,
                             p.service_level])


def _export_barcodes() -> sa.Select:
    b, p = Barcode, Product
    return _plain_export(b, [b.code, p.sku, b.pack_qty], [(p, p.id == b.product_id, False)], [b.code])


def _export_locations() -> sa.Select:
    lo, w = Location, Warehouse
    return _plain_export(lo, [w.code.label("warehouse"), lo.code, lo.zone, lo.aisle, lo.level, lo.kind, lo.barcode],
                         [(w, w.id == lo.warehouse_id, False)], [w.code, lo.code])


def _export_suppliers() -> sa.Select:
    s = Supplier
    return _plain_export(s, [s.code, s.name, s.phone, s.email, s.currency])


def _export_supplier_products() -> sa.Select:
    sp, s, p = SupplierProduct, Supplier, Product
    return _plain_export(sp, [s.code.label("supplier_code"), p.sku, sp.price, sp.currency, sp.lead_time_days, sp.moq,
                              sp.pack_multiple, sp.preferred],
                         [(s, s.id == sp.supplier_id, False), (p, p.id == sp.product_id, False)], [s.code, p.sku])


def _export_stock() -> sa.Select:
    q, lo, w, p = StockQuant, Location, Warehouse, Product
    return _plain_export(q, [w.code.label("warehouse"), lo.code.label("location"), p.sku, q.lot, q.quantity, q.expiry],
                         [(lo, lo.id == q.location_id, False), (w, w.id == lo.warehouse_id, False),
                          (p, p.id == q.product_id, False)], [w.code, lo.code, p.sku, q.lot], where=q.quantity != 0)


def _export_orders() -> sa.Select:
    o, c = SalesOrder, Customer
    return _order_export(o, c, c.id == o.customer_id, "customer_code", o.promised_date, warehouse_optional=True)


def _export_order_lines() -> sa.Select:
    ln, o = SalesOrderLine, SalesOrder
    return _lines_export(ln, o, o.id == ln.order_id, "order_number")


def _export_purchase_orders() -> sa.Select:
    o, s = PurchaseOrder, Supplier
    return _order_export(o, s, s.id == o.supplier_id, "supplier_code", o.expected_date, warehouse_optional=False)


def _export_purchase_order_lines() -> sa.Select:
    ln, o = PurchaseOrderLine, PurchaseOrder
    return _lines_export(ln, o, o.id == ln.po_id, "po_number", ln.received_quantity)


def _export_boms() -> sa.Select:
    b = BillOfMaterial
    parent, comp = aliased(Product), aliased(Product)
    return _plain_export(b, [parent.sku.label("parent_sku"), comp.sku.label("component_sku"), b.quantity],
                         [(parent, parent.id == b.parent_product_id, False), (comp, comp.id == b.component_product_id, False)],
                         [parent.sku, comp.sku])


def _export_sales_history() -> sa.Select:
    h, w, p = SalesHistory, Warehouse, Product
    return _plain_export(h, [h.day.label("date"), w.code.label("warehouse"), p.sku, h.quantity],
                         [(w, w.id == h.warehouse_id, False), (p, p.id == h.product_id, False)], [h.day, w.code, p.sku])


# --- kinds with steps of their own --------------------------------------------

class Contacts(Kind):
    """A contact's phone is read in its customer's country, known once the customer is resolved."""

    async def resolve(self, ctx, rows):
        await super().resolve(ctx, rows)
        lookup = ctx.lookups["customer"]
        for r in rows:
            hit = lookup.get(r.values["customer_code"])
            if hit is None:
                continue
            try:
                r.values["phone"] = r.record["phone"] = v.phone(r.values["phone"], hit[1] or ctx.country)
            except v.BadValue as exc:
                r.errors.append(problem("phone", exc.reason))


class Locations(Kind):
    """A warehouse a locations file names for the first time is created with its locations."""

    async def resolve(self, ctx, rows):
        lookup = ctx.lookups["warehouse"]
        await lookup.fetch(ctx.session, (r.values["warehouse"] for r in rows))
        for r in rows:
            hit = lookup.get(r.values["warehouse"])
            r.record["warehouse_id"] = hit[0] if hit else None

    async def load(self, ctx, rows):
        if ctx.write:
            missing = sorted({r.values["warehouse"] for r in rows if r.record["warehouse_id"] is None})
            for code in missing:
                wh = Warehouse(code=code, name=code)
                ctx.session.add(wh)
                await ctx.session.flush()
                ctx.lookups["warehouse"].put(code, (wh.id,))
                ctx.report.add_note(0, Reason(N_("warehouse {code} created"), code=code))
            for r in rows:
                if r.record["warehouse_id"] is None:
                    r.record["warehouse_id"] = ctx.lookups["warehouse"].get(r.values["warehouse"])[0]
        return await super().load(ctx, rows)


class Stock(Kind):
    """Opening stock: each row sets a quantity; the ledger gets the difference as an adjustment move."""

    def natural_key(self, row):
        return (row.values["warehouse"], row.values["location"], row.values["sku"], row.values.get("lot") or "")

    async def resolve(self, ctx, rows):
        wh, loc, prod = ctx.lookups["warehouse"], ctx.lookups["location"], ctx.lookups["product"]
        await wh.fetch(ctx.session, (r.values["warehouse"] for r in rows))
        await prod.fetch(ctx.session, (r.values["sku"] for r in rows))
        for r in rows:
            w = wh.get(r.values["warehouse"])
            if w is None:
                r.errors.append(unknown("warehouse", "warehouse", r.values["warehouse"]))
            r.record["warehouse_id"] = w[0] if w else None
        await loc.fetch(ctx.session, ((r.record["warehouse_id"], r.values["location"]) for r in rows if r.record["warehouse_id"]))
        for r in rows:
            if r.record["warehouse_id"]:
                hit = loc.get((r.record["warehouse_id"], r.values["location"]))
                if hit is None:
                    r.errors.append(Reason(N_("location {code} is not a known location in {warehouse}"),
                                            code=repr(r.values["location"]), warehouse=r.values["warehouse"]))
                else:
                    r.record["location_id"] = hit[0]
            p = prod.get(r.values["sku"])
            if p is None:
                r.errors.append(unknown("product", "sku", r.values["sku"]))
            else:
                r.record["product_id"] = p[0]
            r.record["lot"] = r.values.get("lot") or ""
            r.record["quantity"] = r.values["quantity"]
            r.record["expiry"] = r.values.get("expiry")

    async def load(self, ctx, rows):
        from ..inventory.ledger import post_move, virtual_location

        keys = [(r.record["product_id"], r.record["location_id"], r.record["lot"]) for r in rows]
        old = await self.existing(ctx, ["quantity"], keys)
        if ctx.write:
            adjustment = await virtual_location(ctx.session, LocationKind.adjustment)
        locations: dict[int, Location] = {}
        for r, k in zip(rows, keys):
            before = old.get(k)
            have = before[0] if before else Decimal(0)
            diff = r.record["quantity"] - have
            if diff == 0:
                ctx.summary.unchanged += 1
                continue
            if before is None:
                ctx.summary.created += 1
            else:
                ctx.summary.updated += 1
            if not ctx.write:
                continue
            loc = locations.get(k[1]) or await ctx.session.get(Location, k[1])
            locations[k[1]] = loc
            src, dst = (adjustment, loc) if diff > 0 else (loc, adjustment)
            await post_move(ctx.session, product_id=k[0], from_location=src, to_location=dst, quantity=abs(diff),
                            reason="adjustment", lot=k[2], expiry=r.record["expiry"], document=ctx.document,
                            allow_negative=True)
        return []


async def reserve_confirmed_orders(session, order_ids: set[int]) -> None:
    """Hook: imported orders in status confirmed reserve stock as one confirmed in the chat would.

    Reservation belongs to the warehouse feature; this is the one place the import calls it."""
    if not order_ids:
        return
    for oid in sorted(order_ids):
        order = await session.get(SalesOrder, oid)
        if order is not None and order.status == OrderStatus.confirmed:
            await reserve_order(session, order)


LATER_THAN_CONFIRMED = {"reserved", "picking", "packed", "partially_shipped", "shipped", "delivered"}


class Orders(Kind):
    """Sales orders: one the system has taken further than the file's "confirmed" stays where it is;
    confirmed ones reserve stock after the import."""

    def same(self, field, stored, incoming):
        # A file saying "confirmed" is already true of an order the system has since reserved,
        # picked or shipped: re-importing it must not put the order back.
        if field == "status" and incoming == OrderStatus.confirmed and stored in LATER_THAN_CONFIRMED:
            return True
        return super().same(field, stored, incoming)

    async def load(self, ctx, rows):
        # An order the system has since reserved is still the confirmed order of the file:
        # re-importing the file must neither count it as changed nor undo the reservation.
        if "status" in rows[0].record:
            keys = [(r.record["number"],) for r in rows]
            stored = await self.existing(ctx, ["status"], keys)
            for r, k in zip(rows, keys):
                if r.record["status"] == OrderStatus.confirmed and stored.get(k) == (OrderStatus.reserved,):
                    r.record["status"] = OrderStatus.reserved
        changed = await super().load(ctx, rows)
        ctx.confirmed_numbers.update(rec["number"] for rec in changed if rec.get("status") == OrderStatus.confirmed)
        return changed

    async def finish(self, ctx):
        numbers = list(ctx.confirmed_numbers)
        ids: set[int] = set()
        for part in chunks(numbers):
            ids.update((await ctx.session.exec(sa.select(SalesOrder.id).where(SalesOrder.number.in_(part)))).scalars())
        await reserve_confirmed_orders(ctx.session, ids)


class OrderLines(Kind):
    """Lines added to or changed on a confirmed order reserve stock after the import."""

    async def load(self, ctx, rows):
        changed = await super().load(ctx, rows)
        orders = ctx.lookups["order"]
        await orders.fetch(ctx.session, (r.values["order_number"] for r in rows))
        touched = {id(rec) for rec in changed}
        for r in rows:
            hit = orders.get(r.values["order_number"])
            if hit and hit[1] == OrderStatus.confirmed and id(r.record) in touched:
                ctx.confirmed_ids.add(hit[0])
        return changed

    async def finish(self, ctx):
        await reserve_confirmed_orders(ctx.session, ctx.confirmed_ids)


class PurchaseOrders(Kind):
    """A purchase order without a warehouse goes to the only one there is."""

    async def resolve(self, ctx, rows):
        await super().resolve(ctx, rows)
        # A purchase order always goes to a warehouse: with only one, it needn't be named.
        if any(r.record.get("warehouse_id") is None for r in rows):
            ids = (await ctx.session.exec(sa.select(Warehouse.id).limit(2))).scalars().all()
            for r in rows:
                if r.record.get("warehouse_id") is None:
                    if len(ids) == 1:
                        r.record["warehouse_id"] = ids[0]
                    else:
                        r.errors.append(Reason(N_("warehouse is empty (needed when there is not exactly one warehouse)")))


class Boms(Kind):
    """A bill of materials: no product is a component of itself."""

    def parse(self, ctx, line, raw):
        row = super().parse(ctx, line, raw)
        if not row.errors and row.values["parent_sku"] == row.values["component_sku"]:
            row.errors.append(Reason(N_("a product cannot be a component of itself")))
        return row


# Every kind of data file, by its name (in this order where a message lists them).
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("customers", Customer, (
        Column("code", TEXT, True, "code"),
        Column("name", TEXT, True, "name"),
        Column("country", _plain(v.country), field="country"),  # before phone: the phone is read in this country
        Column("phone", _customer_phone, field="phone"),
        Column("email", _plain(v.email), field="email"),
        Column("city", TEXT, field="city"),
        Column("language", _plain(v.language), field="language"),
        Column("timezone", _plain(v.time_zone), field="timezone"),
        Column("tags", _plain(v.tags), field="tags"),
        Column("sms_consent", BOOL, field="sms_consent"),
        Column("home_warehouse", TEXT),
    ), key=("code",), refs=(Ref("home_warehouse", "warehouse", "home_warehouse_id", "warehouse"),), export=_export_customers),
    Contacts("contacts", Contact, (
        Column("customer_code", TEXT, True),
        Column("phone", TEXT, True),  # made E.164 in resolve(): needs the customer's country
        Column("name", TEXT, True, "name"),
        Column("role", TEXT, field="role"),
        Column("email", _plain(v.email), field="email"),
        Column("sms_consent", BOOL, field="sms_consent"),
    ), key=("customer_code", "phone"), conflict=("customer_id", "phone"),
        refs=(Ref("customer_code", "customer", "customer_id", "customer"),), export=_export_contacts),
    Kind("products", Product, (
        Column("sku", TEXT, True, "sku"),
        Column("name", TEXT, True, "name"),
        Column("unit", TEXT, field="unit"),
        Column("category", TEXT, field="category"),
        Column("lot_tracked", BOOL, field="lot_tracked"),
        Column("expiry_tracked", BOOL, field="expiry_tracked"),
        Column("price", MONEY, field="price"),
        Column("currency", _plain(v.currency), field="currency"),
        Column("service_level", _plain(v.service_level), field="service_level"),
    ), key=("sku",), export=_export_products),
    Kind("barcodes", Barcode, (
        Column("code", _barcode, True, "code"),
        Column("sku", TEXT, True),
        Column("pack_qty", _positive, field="pack_qty"),
    ), key=("code",), refs=(SKU_REF,), export=_export_barcodes),
    Locations("locations", Location, (
        Column("warehouse", TEXT, True),
        Column("code", TEXT, True, "code"),
        Column("zone", TEXT, field="zone"),
        Column("aisle", TEXT, field="aisle"),
        Column("level", TEXT, field="level"),
        Column("kind", _plain(v.one_of(LOCATION_KINDS)), field="kind"),
        Column("barcode", TEXT, field="barcode"),
    ), key=("warehouse", "code"), conflict=("warehouse_id", "code"), export=_export_locations),
    Kind("suppliers", Supplier, (
        Column("code", TEXT, True, "code"),
        Column("name", TEXT, True, "name"),
        Column("phone", _company_phone, field="phone"),
        Column("email", _plain(v.email), field="email"),
        Column("currency", _plain(v.currency), field="currency"),
    ), key=("code",), export=_export_suppliers),
    Kind("supplier_products", SupplierProduct, (
        Column("supplier_code", TEXT, True),
        Column("sku", TEXT, True),
        Column("price", MONEY, field="price"),
        Column("currency", _plain(v.currency), field="currency"),
        Column("lead_time_days", _days, field="lead_time_days"),
        Column("moq", _positive, field="moq"),
        Column("pack_multiple", _positive, field="pack_multiple"),
        Column("preferred", BOOL, field="preferred"),
    ), key=("supplier_code", "sku"), conflict=("supplier_id", "product_id"),
        refs=(Ref("supplier_code", "supplier", "supplier_id", "supplier"), SKU_REF), export=_export_supplier_products),
    Stock("stock", StockQuant, (
        Column("warehouse", TEXT, True),
        Column("location", TEXT, True),
        Column("sku", TEXT, True),
        Column("lot", TEXT),
        Column("quantity", QTY, True),
        Column("expiry", DATE),
    ), key=("warehouse", "location", "sku", "lot"), conflict=("product_id", "location_id", "lot"), export=_export_stock),
    Orders("orders", SalesOrder, order_header("customer", ORDER_STATUSES, "promised_date"), key=("number",),
           refs=(Ref("customer_code", "customer", "customer_id", "customer"), WAREHOUSE_REF), export=_export_orders),
    OrderLines("order_lines", SalesOrderLine, order_lines("order_number"), key=("order_number", "line"),
               conflict=("order_id", "line_no"), refs=(Ref("order_number", "order", "order_id", "sales order"), SKU_REF),
               export=_export_order_lines),
    PurchaseOrders("purchase_orders", PurchaseOrder, order_header("supplier", PO_STATUSES, "expected_date"), key=("number",),
                   refs=(Ref("supplier_code", "supplier", "supplier_id", "supplier"), WAREHOUSE_REF),
                   export=_export_purchase_orders),
    Kind("purchase_order_lines", PurchaseOrderLine, order_lines("po_number", "received_quantity"), key=("po_number", "line"),
         conflict=("po_id", "line_no"), refs=(Ref("po_number", "purchase_order", "po_id", "purchase order"), SKU_REF),
         export=_export_purchase_order_lines),
    Boms("boms", BillOfMaterial, (
        Column("parent_sku", TEXT, True),
        Column("component_sku", TEXT, True),
        Column("quantity", _positive, True, "quantity"),
    ), key=("parent_sku", "component_sku"), conflict=("parent_product_id", "component_product_id"),
        refs=(Ref("parent_sku", "product", "parent_product_id", "product"),
              Ref("component_sku", "product", "component_product_id", "product")), export=_export_boms),
    Kind("sales_history", SalesHistory, (
        Column("date", DATE, True, "day"),
        Column("warehouse", TEXT, True),
        Column("sku", TEXT, True),
        Column("quantity", QTY, True, "quantity"),
    ), key=("date", "warehouse", "sku"), conflict=("day", "warehouse_id", "product_id"), refs=(WAREHOUSE_REF, SKU_REF),
        export=_export_sales_history),
)}
