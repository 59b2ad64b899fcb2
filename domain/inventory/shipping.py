"""Packing and shipping a picked order, and the facts a delivery note prints."""
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
    SalesOrder, SalesOrderLine, User, Warehouse, utcnow,
)
from .common import locked
from .ledger import post_move, virtual_location
from .reservations import release_order


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


async def _picked_by_line(session: AsyncSession, order_id: int) -> dict[int, list[tuple[PickTask, int]]]:
    """Picked tasks per order line (with the packing location each went to)."""
    rows = (await session.exec(
        select(PickTask, PickList.packing_location_id)
        .join(PickList, PickList.id == PickTask.pick_list_id)
        .where(PickList.order_id == order_id, PickTask.picked_qty > 0)
        .order_by(PickTask.id)
    )).all()
    out: dict[int, list[tuple[PickTask, int]]] = defaultdict(list)
    for task, packing_id in rows:
        out[task.order_line_id].append((task, packing_id))
    return out


async def _lines(session: AsyncSession, order: SalesOrder) -> list[PackedLine]:
    picked = await _picked_by_line(session, order.id)
    out = []
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.line_no))).all()
    for line in lines:
        product = await session.get(Product, line.product_id)
        lots: dict[tuple[str, date | None], Decimal] = defaultdict(Decimal)
        for task, _ in picked.get(line.id, []):
            lots[(task.lot, task.expiry)] += task.picked_qty
        out.append(PackedLine(
            line_no=line.line_no, sku=product.sku, name=product.name, unit=product.unit, ordered=line.quantity,
            picked=line.picked_qty, short=max(line.quantity - line.picked_qty, Decimal(0)),
            lots=[LotQty(lot, exp, q) for (lot, exp), q in sorted(lots.items(), key=lambda kv: (kv[0][1] or date.max, kv[0][0]))],
        ))
    return out


async def pack_order(session: AsyncSession, order: SalesOrder, user: User) -> PackResult:
    """Closes picking: everything picked sits consolidated on the packing dock; the order becomes packed."""
    order = await locked(session, SalesOrder, order.id)
    if order.status != OrderStatus.picking:
        raise InvalidInput(N_("Order {number} is {status}; only an order being picked can be packed."),
                           number=order.number, status=order.status)
    unfinished = (await session.exec(select(PickList).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ))).first()
    if unfinished is not None:
        raise Conflict(N_("Order {number} still has bins to pick."), number=order.number)
    lines = await _lines(session, order)
    if not any(line.picked > 0 for line in lines):
        raise Conflict(N_("Nothing was picked for order {number}."), number=order.number)
    last = (await session.exec(select(PickList).where(PickList.order_id == order.id).order_by(PickList.id.desc()))).first()
    packing = await session.get(Location, last.packing_location_id)
    order.status = OrderStatus.packed
    await session.flush()
    return PackResult(order.number, order.status, lines, packing.code)


async def ship_order(session: AsyncSession, order: SalesOrder, user: User) -> PackResult:
    """Moves the packed goods dock -> customer, sets shipped quantities and time; leftovers are released."""
    order = await locked(session, SalesOrder, order.id)
    if order.status != OrderStatus.packed:
        raise InvalidInput(N_("Order {number} is {status}; pack it before shipping."),
                           number=order.number, status=order.status)
    customer_loc = await virtual_location(session, LocationKind.customer)
    picked = await _picked_by_line(session, order.id)
    lines = (await session.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .with_for_update().execution_options(populate_existing=True))).all()
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
        line.shipped_qty = line.picked_qty
    order.status = OrderStatus.shipped  # set before the release below so it leaves the status alone
    order.shipped_at = utcnow()
    await release_order(session, order)
    await session.flush()
    from ..orders.notifications import notify_order_status

    await notify_order_status(session, order)  # the customer's SMS, committed with the shipment (outbox)
    return PackResult(order.number, order.status, await _lines(session, order), "")


async def delivery_note_data(session: AsyncSession, order: SalesOrder) -> DeliveryNoteData:
    customer = await session.get(Customer, order.customer_id)
    cp = (await session.exec(select(Counterparty).where(Counterparty.customer_id == customer.id)
                             .order_by(Counterparty.id))).first()
    wh = await session.get(Warehouse, order.warehouse_id) if order.warehouse_id else None
    return DeliveryNoteData(
        order_number=order.number, order_date=order.order_date, shipped_at=order.shipped_at, status=order.status,
        warehouse_name=wh.name if wh else "", customer_code=customer.code, customer_name=customer.name,
        customer_legal_name=cp.legal_name if cp else None, customer_address=cp.address if cp else None,
        customer_city=customer.city, customer_country=customer.country, customer_phone=customer.phone,
        lines=await _lines(session, order), customer_language=customer.language,
    )
