"""Packing and shipping a picked order (in parts when some of it is owed), goods coming back, and the facts
a delivery note prints. Each shipment carries what was picked since the last one."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models.sales import OrderStatus
from ..models import (
    Counterparty, Customer, Location, LocationKind, PickList, PickListStatus, PickTask, Product,
    SalesOrder, SalesOrderLine, Shipment, ShipmentLine, User, Warehouse, utcnow,
)
from .common import RECEIVING_CODE, locked, working_location
from .ledger import post_move, virtual_location
from .reservations import release_order
from ..status_labels import ORDER, Status


@dataclass(frozen=True)
class LotQty:
    lot: str
    expiry: date | None
    quantity: Decimal


@dataclass(frozen=True)
class PackedLine:
    line_no: int
    sku: str
    name: str
    unit: str
    ordered: Decimal
    picked: Decimal
    short: Decimal
    lots: list[LotQty] = field(default_factory=list)


@dataclass(frozen=True)
class PackResult:
    order_number: str
    status: str
    lines: list[PackedLine]
    packing_bin: str


@dataclass(frozen=True)
class DeliveryNoteData:
    order_number: str
    order_date: date | None
    shipped_at: datetime | None
    status: str
    warehouse_name: str
    customer_code: str
    customer_name: str
    customer_legal_name: str | None
    customer_address: str | None
    customer_city: str | None
    customer_country: str | None
    customer_phone: str | None
    lines: list[PackedLine]
    customer_language: str | None = None  # the note travels with the goods: printed in the customer's language


async def _picked_by_line(session: AsyncSession, order_id: int, *, unshipped: bool = False,
                          finished_only: bool = True, shipment_id: int | None = None) -> dict[int, list[tuple[PickTask, int]]]:
    """Picked tasks per order line (with the packing location each went to); only those not shipped yet if asked
    (of finished lists, unless finished_only=False: also lists cancelled half-way)."""
    stmt = (select(PickTask, PickList.packing_location_id)
            .join(PickList, PickList.id == PickTask.pick_list_id)
            .where(PickList.order_id == order_id, PickTask.picked_qty > 0)
            .order_by(PickTask.id))
    if shipment_id is not None:  # what one shipment carried
        stmt = stmt.where(PickList.shipment_id == shipment_id)
    if unshipped:
        stmt = stmt.where(PickList.shipment_id.is_(None))
        if finished_only:
            stmt = stmt.where(PickList.status == PickListStatus.done)
    rows = (await session.exec(stmt)).all()
    out: dict[int, list[tuple[PickTask, int]]] = defaultdict(list)
    for task, packing_id in rows:
        out[task.order_line_id].append((task, packing_id))
    return out


async def _lines(session: AsyncSession, order: SalesOrder, *, unshipped: bool = False,
                 shipment_id: int | None = None) -> list[PackedLine]:
    """The order's lines with what was picked (only what is not shipped yet, or what one shipment carried, if asked)."""
    picked = await _picked_by_line(session, order.id, unshipped=unshipped, shipment_id=shipment_id)
    out = []
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.line_no))).all()
    for line in lines:
        product = await session.get(Product, line.product_id)
        lots: dict[tuple[str, date | None], Decimal] = defaultdict(Decimal)
        for task, _ in picked.get(line.id, []):
            lots[(task.lot, task.expiry)] += task.picked_qty
        part = unshipped or shipment_id is not None
        picked_now = sum((t.picked_qty for t, _ in picked.get(line.id, [])), Decimal(0)) if part else line.picked_qty
        out.append(PackedLine(
            line_no=line.line_no, sku=product.sku, name=product.name, unit=product.unit, ordered=line.quantity,
            picked=picked_now, short=max(line.quantity - line.cancelled_qty - line.picked_qty, Decimal(0)),
            lots=[LotQty(lot, exp, q) for (lot, exp), q in sorted(lots.items(), key=lambda kv: (kv[0][1] or date.max, kv[0][0]))],
        ))
    return out


async def pack_order(session: AsyncSession, order: SalesOrder, user: User) -> PackResult:
    """Closes picking: everything picked sits consolidated on the packing dock; the order becomes packed."""
    order = await locked(session, SalesOrder, order.id)
    if order.status != OrderStatus.picking:
        raise InvalidInput(N_("Order {number} is {status}; only an order being picked can be packed."),
                           number=order.number, status=Status(ORDER, order.status))
    unfinished = (await session.exec(select(PickList).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ))).first()
    if unfinished is not None:
        raise Conflict(N_("Order {number} still has bins to pick."), number=order.number)
    lines = await _lines(session, order, unshipped=True)
    if not any(line.picked > 0 for line in lines):
        raise Conflict(N_("Nothing was picked for order {number}."), number=order.number)
    last = (await session.exec(select(PickList).where(PickList.order_id == order.id).order_by(PickList.id.desc()))).first()
    packing = await session.get(Location, last.packing_location_id)
    order.status = OrderStatus.packed
    await session.flush()
    return PackResult(order.number, order.status, lines, packing.code)


@dataclass(frozen=True)
class ShipResult(PackResult):
    shipment_number: str = ""
    invoice_number: str | None = None
    owed: list = field(default_factory=list)  # orders.backorders.Owed: what still follows


async def ship_order(session: AsyncSession, order: SalesOrder, user: User, *, invoice_policy: str = "delivered",
                     payment_terms_days: int = 14, today: date | None = None) -> ShipResult:
    """Moves what was packed since the last shipment dock -> customer as one shipment. The order is shipped
    when nothing more is owed, else partially_shipped (the rest is a backorder). Leftover reservations are
    released; under the `delivered` invoice policy the shipment is invoiced; the customer gets one SMS."""
    from ..orders.backorders import owed_lines
    from ..orders.invoices import invoice_shipment, policy_of
    from ..orders.notifications import notify_shipment

    invoice_policy = policy_of(invoice_policy)
    order = await locked(session, SalesOrder, order.id)
    if order.status != OrderStatus.packed:
        raise InvalidInput(N_("Order {number} is {status}; pack it before shipping."),
                           number=order.number, status=Status(ORDER, order.status))
    today = today or utcnow().date()
    customer_loc = await virtual_location(session, LocationKind.customer)
    picked = await _picked_by_line(session, order.id, unshipped=True)
    earlier = len((await session.exec(select(Shipment.id).where(Shipment.order_id == order.id))).all())
    shipment = Shipment(number=f"{order.number}/{earlier + 1}", order_id=order.id, user_id=user.id)
    session.add(shipment)
    await session.flush()
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.line_no)
                                .with_for_update().execution_options(populate_existing=True))).all()
    carried: list[tuple[SalesOrderLine, Decimal]] = []
    for line in lines:
        groups: dict[tuple[int, str, date | None], Decimal] = defaultdict(Decimal)
        for task, packing_id in picked.get(line.id, []):
            groups[(packing_id, task.lot, task.expiry)] += task.picked_qty
        for (packing_id, lot, expiry), qty in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            await post_move(
                session, product_id=line.product_id, from_location=await session.get(Location, packing_id),
                to_location=customer_loc, quantity=qty, reason="ship", lot=lot, expiry=expiry,
                document=order.number, user_id=user.id,
            )
        qty = sum(groups.values(), Decimal(0))
        if qty > 0:
            line.shipped_qty = line.shipped_qty + qty
            session.add(ShipmentLine(shipment_id=shipment.id, order_line_id=line.id, quantity=qty))
            carried.append((line, qty))
    for pl in (await session.exec(select(PickList).where(PickList.order_id == order.id, PickList.shipment_id.is_(None),
                                                         PickList.status == PickListStatus.done))).all():
        pl.shipment_id = shipment.id
    owed_any = any(line.backordered > 0 for line in lines)
    # set before the release below so it leaves the status alone
    order.status = OrderStatus.partially_shipped if owed_any else OrderStatus.shipped
    order.shipped_at = shipment.shipped_at = utcnow()
    await release_order(session, order)
    if order.status == OrderStatus.partially_shipped:
        # Stock that became sellable while this part was picked could not be reserved for the order then
        # (an order being picked is not served): the rest gets it now, by priority like every other order.
        from ..orders.backorders import serve_backorders

        await serve_backorders(session, order.warehouse_id, {line.product_id for line in lines if line.backordered > 0})
    await session.flush()
    invoice = None
    if invoice_policy == "delivered":
        invoice = await invoice_shipment(session, order, shipment.id, carried, today=today, terms_days=payment_terms_days)
    owed = await owed_lines(session, order, today=today)
    await notify_shipment(session, order, shipment, owed, first=earlier == 0)  # the customer's SMS, committed with it (outbox)
    packed = await _lines(session, order)
    shipped_now = {ln.id: q for ln, q in carried}
    by_no = {ln.line_no: ln.id for ln in lines}
    packed = [PackedLine(p.line_no, p.sku, p.name, p.unit, p.ordered, shipped_now.get(by_no[p.line_no], Decimal(0)), p.short, p.lots)
              for p in packed]
    return ShipResult(order.number, order.status, packed, "", shipment.number, invoice.number if invoice else None, owed)


async def return_picked_to_stock(session: AsyncSession, order: SalesOrder) -> list[int]:
    """Goods picked for an order that will not ship (it was cancelled) go back to stock: a put-away task from the
    packing dock for each, and the lines no longer count them as picked. Returns the task ids."""
    from .tasks import create_putaway_task

    picked = await _picked_by_line(session, order.id, unshipped=True, finished_only=False)
    lines = {ln.id: ln for ln in (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id))).all()}
    out = []
    for line_id, tasks in picked.items():
        groups: dict[tuple[int, str, date | None], Decimal] = defaultdict(Decimal)
        for task, packing_id in tasks:
            groups[(packing_id, task.lot, task.expiry)] += task.picked_qty
        for (packing_id, lot, expiry), qty in groups.items():
            task = await create_putaway_task(session, warehouse_id=order.warehouse_id, product_id=lines[line_id].product_id,
                                             from_location=await session.get(Location, packing_id), quantity=qty, lot=lot,
                                             expiry=expiry, document=order.number)
            out.append(task.id)
        line = lines[line_id]
        line.picked_qty = line.shipped_qty
    for pl in (await session.exec(select(PickList).where(PickList.order_id == order.id, PickList.shipment_id.is_(None)))).all():
        pl.status = PickListStatus.cancelled
    return out


async def receive_return(session: AsyncSession, order: SalesOrder, product_id: int, quantity: Decimal, user: User) -> int:
    """Goods the customer sent back: customer -> receiving dock, and a put-away task. Returns the task id."""
    from .tasks import create_putaway_task

    dock = await working_location(session, order.warehouse_id, RECEIVING_CODE)
    await post_move(session, product_id=product_id, from_location=await virtual_location(session, LocationKind.customer),
                    to_location=dock, quantity=quantity, reason="return", document=order.number, user_id=user.id)
    task = await create_putaway_task(session, warehouse_id=order.warehouse_id, product_id=product_id, from_location=dock,
                                     quantity=quantity, document=order.number)
    return task.id


async def delivery_note_data(session: AsyncSession, order: SalesOrder, shipment_number: str | None = None) -> DeliveryNoteData:
    """The note of one shipment when its number is given (an order shipped in parts has one per part)."""
    shipment = (await session.exec(select(Shipment).where(Shipment.number == shipment_number))).first() if shipment_number else None
    customer = await session.get(Customer, order.customer_id)
    cp = (await session.exec(select(Counterparty).where(Counterparty.customer_id == customer.id)
                             .order_by(Counterparty.id))).first()
    wh = await session.get(Warehouse, order.warehouse_id) if order.warehouse_id else None
    return DeliveryNoteData(
        order_number=order.number, order_date=order.order_date, shipped_at=order.shipped_at, status=order.status,
        warehouse_name=wh.name if wh else "", customer_code=customer.code, customer_name=customer.name,
        customer_legal_name=cp.legal_name if cp else None, customer_address=cp.address if cp else None,
        customer_city=customer.city, customer_country=customer.country, customer_phone=customer.phone,
        lines=await _lines(session, order, shipment_id=shipment.id if shipment else None), customer_language=customer.language,
    )
