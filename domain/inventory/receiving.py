"""Receiving goods, against a purchase order or unplanned, and inspecting them.

preview_receipt() reads the codes, quantities, lots and expiries and compares
them with the purchase order without changing anything; book_receipt()
recomputes the same preview under the PO's row lock and books it: moves
supplier -> receiving dock (or quarantine when the product or the supplier
requires inspection), PO received quantities and status, put-away tasks.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import (
    InspectionStatus, Location, LocationKind, Product, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine,
    StockQuant, Supplier, User, Warehouse, utcnow,
)
from ..purchasing.orders import RECEIVABLE_STATUSES, status_after_receipt
from ..permissions import require
from .common import (
    QUARANTINE_CODE, RECEIVING_CODE, Note, fmt_qty, locked, note, parse_quantity, resolve_product,
    working_location,
)
from .ledger import post_move, virtual_location
from .tasks import create_putaway_task
from ..status_labels import INSPECTION, PO, Status


@dataclass(frozen=True)
class ReceiptInput:
    """One line as the person gave it: a SKU or barcode (pack barcodes count packs), a quantity, lot, expiry."""

    code: str
    quantity: Decimal | int | str
    lot: str = ""
    expiry: date | None = None


@dataclass(frozen=True)
class PreviewLine:
    code: str
    product_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal  # in units (packs x pack_qty)
    pack_qty: Decimal
    lot: str
    expiry: date | None
    po_line_id: int | None
    ordered: Decimal  # on the PO line(s) of this product
    received_before: Decimal
    destination: str  # receiving dock or quarantine code
    notes: list[Note] = field(default_factory=list)

    @property
    def received_after(self) -> Decimal:
        return self.received_before + self.quantity


@dataclass(frozen=True)
class OpenPOLine:
    line_no: int
    sku: str
    ordered: Decimal
    received_after: Decimal

    @property
    def missing(self) -> Decimal:
        return max(self.ordered - self.received_after, Decimal(0))

    @property
    def over(self) -> Decimal:
        return max(self.received_after - self.ordered, Decimal(0))


@dataclass(frozen=True)
class ReceiptTolerance:
    """How far a receipt may differ from the PO line it fills, in percent of the ordered quantity,
    before the person must confirm the difference. 0: any difference needs a confirmation."""

    over_percent: Decimal = Decimal(0)
    under_percent: Decimal = Decimal(0)

    @classmethod
    def from_mapping(cls, cfg: dict | None) -> "ReceiptTolerance":
        cfg = cfg or {}
        return cls(Decimal(str(cfg.get("over_tolerance_percent", 0))), Decimal(str(cfg.get("under_tolerance_percent", 0))))


@dataclass(frozen=True)
class ReceiptPreview:
    po_number: str | None
    warehouse_code: str
    lines: list[PreviewLine]
    po_lines: list[OpenPOLine]  # every PO line after this receipt: what is still missing, what is over
    not_on_po: list[str]  # SKUs received that the PO does not list
    po_status: str | None = None
    touched: frozenset[int] = frozenset()  # line numbers of the PO this receipt fills
    tolerance: ReceiptTolerance = ReceiptTolerance()

    @property
    def over(self) -> list[OpenPOLine]:
        return [line for line in self.po_lines if line.over > 0]

    @property
    def under(self) -> list[OpenPOLine]:
        return [line for line in self.po_lines if line.missing > 0]

    @property
    def over_beyond_tolerance(self) -> list[OpenPOLine]:
        return [ln for ln in self.over if ln.over * 100 > ln.ordered * self.tolerance.over_percent]

    @property
    def under_beyond_tolerance(self) -> list[OpenPOLine]:
        """Lines this receipt fills that stay short by more than the tolerance (untouched lines simply wait)."""
        return [ln for ln in self.under
                if ln.line_no in self.touched and ln.missing * 100 > ln.ordered * self.tolerance.under_percent]

    @property
    def against_draft(self) -> bool:
        return self.po_status == "draft"

    @property
    def needs_confirmation(self) -> bool:
        """Differences beyond the tolerance, products not on the PO and receipts against a draft (the
        supplier never got it) are only booked when the person confirms them."""
        return bool(self.over_beyond_tolerance or self.under_beyond_tolerance or self.not_on_po or self.against_draft)

    def differences(self) -> str:
        """The differences to confirm, e.g. "WID +12 (20%), BOLT -30 (60%)"."""
        parts = [f"{ln.sku} +{fmt_qty(ln.over)} ({_pct(ln.over, ln.ordered)})" for ln in self.over_beyond_tolerance]
        parts += [f"{ln.sku} -{fmt_qty(ln.missing)} ({_pct(ln.missing, ln.ordered)})" for ln in self.under_beyond_tolerance]
        return ", ".join(parts) or "-"


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{(part * 100 / whole).quantize(Decimal(1))}%" if whole else "-"


@dataclass(frozen=True)
class ReceiptBooked:
    receipt_number: str
    receipt_id: int
    po_status: str | None
    preview: ReceiptPreview
    quarantined: list[int]  # receipt line ids waiting for inspection
    putaway_task_ids: list[int]
    served: list[str] = field(default_factory=list)  # waiting orders that got stock reserved (goods booked into sellable bins)


async def _preview(
    session: AsyncSession, lines: list[ReceiptInput], *, warehouse: Warehouse, po: PurchaseOrder | None,
    supplier: Supplier | None, tolerance: ReceiptTolerance = ReceiptTolerance(),
) -> ReceiptPreview:
    if not lines:
        raise InvalidInput(N_("A receipt needs at least one line."))
    if po is not None and po.status not in RECEIVABLE_STATUSES:
        raise Conflict(N_("Purchase order {number} is {status}; nothing more can be received on it."),
                       number=po.number, status=Status(PO, po.status))
    po_lines: list[PurchaseOrderLine] = []
    if po is not None:
        po_lines = list((await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                                            .order_by(PurchaseOrderLine.line_no))).all())
    # Received so far per PO line, advanced as this receipt's lines are assigned.
    received = {pl.id: pl.received_quantity for pl in po_lines}
    receiving = await working_location(session, warehouse.id, RECEIVING_CODE)
    out, not_on_po = [], []
    for given in lines:
        resolved = await resolve_product(session, given.code)
        product = resolved.product
        qty = parse_quantity(given.quantity, unit="pcs" if resolved.pack_qty != 1 else product.unit) * resolved.pack_qty
        lot = (given.lot or "").strip()
        if product.lot_tracked and not lot:
            raise InvalidInput(N_("{sku} is lot-tracked: give the lot number."), sku=product.sku)
        if product.expiry_tracked and given.expiry is None:
            raise InvalidInput(N_("{sku} needs an expiry date."), sku=product.sku)
        if lot:
            await check_lot_expiry(session, product, lot, given.expiry)
        notes = []
        if given.expiry is not None and given.expiry < utcnow().date():
            notes.append(note(N_("{sku} lot {lot} expired on {expiry}."), sku=product.sku, lot=lot or "-", expiry=given.expiry))
        mine = [pl for pl in po_lines if pl.product_id == product.id]
        # First PO line of the product that still misses something, else the last one (over-receipt).
        target = next((pl for pl in mine if received[pl.id] < pl.quantity), mine[-1] if mine else None)
        if po is not None and target is None:
            not_on_po.append(product.sku)
            notes.append(note(N_("{sku} is not on purchase order {number}."), sku=product.sku, number=po.number))
        before = received[target.id] if target else Decimal(0)
        if target is not None:
            received[target.id] = before + qty
        inspect = product.requires_inspection or bool(supplier and supplier.requires_inspection)
        out.append(PreviewLine(
            code=given.code, product_id=product.id, sku=product.sku, name=product.name, unit=product.unit,
            quantity=qty, pack_qty=resolved.pack_qty, lot=lot, expiry=given.expiry,
            po_line_id=target.id if target else None, ordered=target.quantity if target else Decimal(0),
            received_before=before, destination=QUARANTINE_CODE if inspect else receiving.code, notes=notes,
        ))
    skus = {p.id: p.sku for p in (await session.exec(select(Product).where(
        Product.id.in_([pl.product_id for pl in po_lines] or [-1])))).all()}
    open_lines = [OpenPOLine(pl.line_no, skus[pl.product_id], pl.quantity, received[pl.id]) for pl in po_lines]
    by_id = {pl.id: pl.line_no for pl in po_lines}
    touched = frozenset(by_id[ln.po_line_id] for ln in out if ln.po_line_id is not None)
    return ReceiptPreview(po.number if po else None, warehouse.code, out, open_lines, not_on_po,
                          po.status if po else None, touched, tolerance)


async def _context(session: AsyncSession, po: PurchaseOrder | None, warehouse: Warehouse | None,
                   supplier: Supplier | None, *, lock: bool) -> tuple[PurchaseOrder | None, Warehouse, Supplier | None]:
    if po is not None:
        po = await locked(session, PurchaseOrder, po.id) if lock else await session.get(PurchaseOrder, po.id)
        warehouse = await session.get(Warehouse, po.warehouse_id)
        supplier = await session.get(Supplier, po.supplier_id)
    if warehouse is None:
        raise InvalidInput(N_("An unplanned receipt needs a warehouse."))
    return po, warehouse, supplier


async def preview_receipt(
    session: AsyncSession, lines: list[ReceiptInput], *, po: PurchaseOrder | None = None,
    warehouse: Warehouse | None = None, supplier: Supplier | None = None,
    tolerance: ReceiptTolerance = ReceiptTolerance(),
) -> ReceiptPreview:
    """What booking these lines would do: quantities in units, PO lines over and under. Changes nothing."""
    po, warehouse, supplier = await _context(session, po, warehouse, supplier, lock=False)
    return await _preview(session, lines, warehouse=warehouse, po=po, supplier=supplier, tolerance=tolerance)


async def book_receipt(
    session: AsyncSession, lines: list[ReceiptInput], user: User, *, po: PurchaseOrder | None = None,
    warehouse: Warehouse | None = None, supplier: Supplier | None = None, confirm: bool = False,
    tolerance: ReceiptTolerance = ReceiptTolerance(),
) -> ReceiptBooked:
    """Books the receipt; differences beyond the tolerance, products not on the PO and a draft PO need confirm=True."""
    po, warehouse, supplier = await _context(session, po, warehouse, supplier, lock=True)
    preview = await _preview(session, lines, warehouse=warehouse, po=po, supplier=supplier, tolerance=tolerance)
    if preview.needs_confirmation and not confirm:
        if preview.against_draft:
            raise Conflict(N_("Purchase order {number} is a draft: the supplier was never sent it. Confirm to receive against it anyway."),
                           number=po.number)
        raise Conflict(N_("This receipt differs from the purchase order (beyond the tolerance: {diff}; not on it: {extra}). Confirm to book it."),
                       diff=preview.differences(), extra=", ".join(preview.not_on_po) or "-")
    supplier_loc = await virtual_location(session, LocationKind.supplier)
    receipt = Receipt(number=f"RC-{uuid.uuid4().hex[:10].upper()}", warehouse_id=warehouse.id,
                      supplier_id=supplier.id if supplier else None, po_id=po.id if po else None, user_id=user.id)
    session.add(receipt)
    await session.flush()
    document = po.number if po else receipt.number
    per_po_line: dict[int, Decimal] = defaultdict(Decimal)
    quarantined, tasks = [], []
    for line in preview.lines:
        dest = await working_location(session, warehouse.id, line.destination)
        await post_move(
            session, product_id=line.product_id, from_location=supplier_loc, to_location=dest, quantity=line.quantity,
            reason="receipt", lot=line.lot, expiry=line.expiry, document=document, user_id=user.id,
        )
        inspect = dest.kind == LocationKind.quarantine
        rl = ReceiptLine(
            receipt_id=receipt.id, po_line_id=line.po_line_id, product_id=line.product_id, quantity=line.quantity,
            lot=line.lot, expiry=line.expiry, location_id=dest.id,
            inspection=InspectionStatus.pending if inspect else InspectionStatus.not_required,
        )
        session.add(rl)
        await session.flush()
        if inspect:
            quarantined.append(rl.id)
        else:
            task = await create_putaway_task(
                session, warehouse_id=warehouse.id, product_id=line.product_id, from_location=dest,
                quantity=line.quantity, lot=line.lot, expiry=line.expiry, document=document,
            )
            tasks.append(task.id)
        if line.po_line_id is not None:
            per_po_line[line.po_line_id] += line.quantity
    po_status = None
    if po is not None:
        for pl_id, qty in per_po_line.items():
            pl = await session.get(PurchaseOrderLine, pl_id)
            pl.received_quantity = pl.received_quantity + qty
        await _update_po_status(session, po)
        po_status = po.status
    await session.flush()
    from ..orders.backorders import serve_backorders  # (orders builds on this package)

    served = await serve_backorders(session, warehouse.id, sorted({line.product_id for line in preview.lines}))
    return ReceiptBooked(receipt.number, receipt.id, po_status, preview, quarantined, tasks, served)


async def _update_po_status(session: AsyncSession, po: PurchaseOrder) -> None:
    po_lines = list((await session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id))).all())
    po.status = status_after_receipt(po_lines, po)
    if po.status == "received" and po.closed_at is None:
        po.closed_at = utcnow()


async def check_lot_expiry(session: AsyncSession, product: Product, lot: str, expiry: date | None) -> None:
    """A lot has one expiry: a receipt naming another date for a lot already in stock is refused
    (the two would be merged into one record and one date lost)."""
    known = (await session.exec(select(StockQuant.expiry).where(
        StockQuant.product_id == product.id, StockQuant.lot == lot, StockQuant.expiry.is_not(None)))).first()
    if known is not None and expiry is not None and known != expiry:
        raise InvalidInput(N_("Lot {lot} of {sku} is already in stock with expiry {known}, not {expiry}: check the label."),
                           lot=lot, sku=product.sku, known=known.isoformat(), expiry=expiry.isoformat())


# ---- inspection ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PendingInspection:
    receipt_line_id: int
    receipt_number: str
    sku: str
    name: str
    quantity: Decimal
    lot: str
    expiry: date | None


@dataclass(frozen=True)
class InspectionResult:
    receipt_line_id: int
    accepted: bool
    putaway_task_id: int | None
    happened: Note


async def pending_inspections(session: AsyncSession, warehouse_id: int) -> list[PendingInspection]:
    rows = (await session.exec(
        select(ReceiptLine, Receipt, Product)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .join(Product, Product.id == ReceiptLine.product_id)
        .where(Receipt.warehouse_id == warehouse_id, ReceiptLine.inspection == InspectionStatus.pending)
        .order_by(ReceiptLine.id)
    )).all()
    return [PendingInspection(rl.id, r.number, p.sku, p.name, rl.quantity, rl.lot, rl.expiry) for rl, r, p in rows]


async def inspect_receipt_line(
    session: AsyncSession, receipt_line_id: int, user: User, *, accept: bool, reason: str | None = None,
) -> InspectionResult:
    """A manager or admin accepts quarantined goods (they get a put-away task) or rejects them (back to the supplier)."""
    require(user, "inspect_goods")
    rl = await locked(session, ReceiptLine, receipt_line_id)
    if rl.inspection != InspectionStatus.pending:
        raise Conflict(N_("These goods were already {status}."), status=Status(INSPECTION, rl.inspection))
    receipt = await session.get(Receipt, rl.receipt_id)
    product = await session.get(Product, rl.product_id)
    quarantine = await session.get(Location, rl.location_id)
    po = await session.get(PurchaseOrder, receipt.po_id) if receipt.po_id else None
    document = po.number if po else receipt.number
    rl.inspected_by_id, rl.inspected_at, rl.inspection_note = user.id, utcnow(), reason
    task_id = None
    if accept:
        rl.inspection = InspectionStatus.accepted
        task = await create_putaway_task(
            session, warehouse_id=receipt.warehouse_id, product_id=rl.product_id, from_location=quarantine,
            quantity=rl.quantity, lot=rl.lot, expiry=rl.expiry, document=document,
        )
        task_id = task.id
        happened = note(N_("{qty} of {sku} accepted; put-away task created."),
                        qty=fmt_qty(rl.quantity, product.unit), sku=product.sku)
    else:
        rl.inspection = InspectionStatus.rejected
        await post_move(
            session, product_id=rl.product_id, from_location=quarantine,
            to_location=await virtual_location(session, LocationKind.supplier), quantity=rl.quantity,
            reason="return", lot=rl.lot, expiry=rl.expiry, document=document, user_id=user.id,
        )
        if rl.po_line_id is not None:
            # Rejected goods are still owed by the supplier.
            pl = await locked(session, PurchaseOrderLine, rl.po_line_id)
            pl.received_quantity = max(pl.received_quantity - rl.quantity, Decimal(0))
            await _update_po_status(session, await locked(session, PurchaseOrder, po.id))
        happened = note(N_("{qty} of {sku} rejected and returned to the supplier."),
                        qty=fmt_qty(rl.quantity, product.unit), sku=product.sku)
    await session.flush()
    return InspectionResult(rl.id, accept, task_id, happened)
