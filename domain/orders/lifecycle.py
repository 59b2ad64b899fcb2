"""Sales orders from draft to delivery.

    draft -> confirmed -> reserved -> picking -> packed -> shipped -> delivered
      \\________\\___________\\__________\\_________-> cancelled (before shipping)
                                               packed -> partially_shipped -> (reserved -> picking -> packed) -> shipped

Confirming allocates the order to a warehouse, reserves stock through the
warehouse ledger (partial when short: the rest is a backorder with a promised
date taken from incoming purchase orders or the supplier's lead time) and, under
the `ordered` invoice policy, issues the invoice. An order shipped in part is
partially_shipped until the rest ships (stock arriving is reserved for it, see
backorders.py) or the rest is cancelled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound, PermissionDenied
from ..models import (
    Customer, Invoice, OrderStatus, Product, SalesOrder, SalesOrderLine, User, Warehouse,
)
from ..quantities import check_quantity as check_finite
from ..numbering import next_number
from ..permissions import can, require
from .allocation import Availability, allocate, availability_for
from .backorders import expected_date
from .invoices import issue_credit_note, issue_invoice, policy_of
from ..status_labels import ORDER, Status

WHOLE_UNITS = {"pcs", "box", "pack", "set", "pair", "roll", "bottle", "carton", "pallet"}
CANCELLABLE = {OrderStatus.draft, OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.picking,
               OrderStatus.partially_shipped}


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: Decimal
    discount_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class Backorder:
    sku: str
    quantity: Decimal
    expected: date | None  # from the earliest incoming purchase order


@dataclass
class ConfirmResult:
    order: SalesOrder
    reserved_complete: bool
    backorders: list[Backorder] = field(default_factory=list)
    split_into: list[str] = field(default_factory=list)  # numbers of orders split off to other warehouses
    invoice_number: str | None = None


def check_sellable(product: Product, qty) -> Decimal:
    """A product can go on an order line in this quantity: it has a price, the quantity is right for its unit."""
    qty = check_quantity(qty, product.unit)
    if product.price is None:
        raise InvalidInput(N_("{sku} has no price in the price list yet."), sku=product.sku)
    return qty


def check_quantity(qty: Decimal, unit: str) -> Decimal:
    qty = Decimal(qty)
    check_finite(qty)  # finite and in range, whoever the caller
    if qty <= 0:
        raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=qty)
    if unit in WHOLE_UNITS and qty != qty.to_integral_value():
        raise InvalidInput(N_("{quantity} is not a whole number: this product is sold in whole units."), quantity=qty)
    return qty


async def next_order_number(session: AsyncSession) -> str:
    from ..models import Counter

    if await session.get(Counter, "sales_order") is None:
        # Start after the highest number already there (imported or demo orders).
        numbers = (await session.exec(select(SalesOrder.number))).all()
        highest = max((int(n) for n in numbers if n.isdigit()), default=1000)
        return str(await next_number(session, "sales_order", start=highest + 1))
    return str(await next_number(session, "sales_order"))


async def get_order(session: AsyncSession, ref: str | int) -> SalesOrder:
    if isinstance(ref, int):
        order = await session.get(SalesOrder, ref)
    else:
        ref = ref.strip().lstrip("#").upper().removeprefix("SO-")
        order = (await session.exec(select(SalesOrder).where(SalesOrder.number == ref))).first()
    if order is None:
        raise NotFound(N_("There is no order {ref}."), ref=ref)
    return order


async def create_order(
    session: AsyncSession, actor: User, *, customer_id: int, lines: list[LineInput], promised_date: date | None = None,
    warehouse_id: int | None = None, deal_id: int | None = None, priority: int = 0, today: date | None = None,
) -> SalesOrder:
    require(actor, "manage_orders")
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(N_("There is no such customer."))
    if not lines:
        raise InvalidInput(N_("An order needs at least one line."))
    today = today or date.today()
    if promised_date is not None and promised_date < today:
        raise InvalidInput(N_("The delivery date {day} is in the past."), day=promised_date.isoformat())
    if warehouse_id is None:
        warehouse_id = customer.home_warehouse_id or (await session.exec(select(Warehouse.id).order_by(Warehouse.id))).first()
    order = SalesOrder(number=await next_order_number(session), customer_id=customer.id, warehouse_id=warehouse_id,
                       status=OrderStatus.draft, priority=priority, order_date=today, promised_date=promised_date,
                       deal_id=deal_id, created_by_id=actor.id)
    session.add(order)
    await session.flush()
    for n, line in enumerate(lines, start=1):
        await _add_line(session, actor, order, n, line)
    return order


async def _add_line(session: AsyncSession, actor: User, order: SalesOrder, line_no: int, line: LineInput) -> SalesOrderLine:
    product = await session.get(Product, line.product_id)
    if product is None or not product.active:
        raise NotFound(N_("There is no such product."))
    qty = check_sellable(product, line.quantity)
    discount = Decimal(line.discount_pct or 0)
    if not (0 <= discount < 100):
        raise InvalidInput(N_("A discount must be between 0 and 100%."))
    if discount and not can(actor, "discount"):
        raise PermissionDenied(N_("Only managers can give discounts."))
    row = SalesOrderLine(order_id=order.id, line_no=line_no, product_id=product.id, quantity=qty, price=product.price,
                         discount_pct=discount)
    session.add(row)
    return row


async def order_lines(session: AsyncSession, order_id: int) -> list[tuple[SalesOrderLine, Product]]:
    stmt = (select(SalesOrderLine, Product).join(Product, Product.id == SalesOrderLine.product_id)
            .where(SalesOrderLine.order_id == order_id).order_by(SalesOrderLine.line_no))
    return list((await session.exec(stmt)).all())


def line_total(line: SalesOrderLine) -> Decimal:
    return (line.quantity * (line.price or 0) * (1 - line.discount_pct / 100)).quantize(Decimal("0.01"))


async def confirm_order(session: AsyncSession, actor: User, order_id: int, *, today: date | None = None,
                        payment_terms_days: int = 14, invoice_policy: str = "delivered") -> ConfirmResult:
    from ..inventory.reservations import reserve_order

    require(actor, "manage_orders")
    invoice_policy = policy_of(invoice_policy)
    today = today or date.today()
    order = await session.get(SalesOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound(N_("There is no such order."))
    if order.status != OrderStatus.draft:
        raise Conflict(N_("Order {number} is already {status}."), number=order.number, status=Status(ORDER, order.status))
    lines = await order_lines(session, order.id)
    if not lines:
        raise InvalidInput(N_("An order needs at least one line."))
    customer = await session.get(Customer, order.customer_id)

    avail: Availability = await availability_for(session, [p.id for _, p in lines])
    plan = allocate(home=customer.home_warehouse_id or order.warehouse_id,
                    lines=[(ln.id, ln.product_id, ln.quantity) for ln, _ in lines], availability=avail)
    result = ConfirmResult(order=order, reserved_complete=True)
    warehouses = sorted(plan, key=lambda wh: (wh != plan_primary(plan, order.warehouse_id), wh))
    order.warehouse_id = warehouses[0]
    for extra_wh in warehouses[1:]:
        # Lines another warehouse can fill completely ship from there: a split order.
        sibling = SalesOrder(number=f"{order.number}-{len(result.split_into) + 2}", customer_id=order.customer_id,
                             warehouse_id=extra_wh, status=OrderStatus.confirmed, priority=order.priority,
                             order_date=order.order_date, promised_date=order.promised_date, deal_id=order.deal_id,
                             created_by_id=actor.id)
        session.add(sibling)
        await session.flush()
        for k, line_id in enumerate(plan[extra_wh], start=1):
            line = next(ln for ln, _ in lines if ln.id == line_id)
            line.order_id, line.line_no = sibling.id, k
        await session.flush()
        res = await reserve_order(session, sibling)
        result.reserved_complete &= res.complete
        result.split_into.append(sibling.number)
    order.status = OrderStatus.confirmed
    await session.flush()
    res = await reserve_order(session, order)
    result.reserved_complete &= res.complete
    for line_res, (line, product) in zip(res.lines, [(ln, p) for ln, p in lines if ln.order_id == order.id]):
        if line_res.short > 0:
            expected = await expected_date(session, product.id, order.warehouse_id, today=today)
            result.backorders.append(Backorder(product.sku, line_res.short, expected))
    if result.backorders:
        dates = [b.expected for b in result.backorders if b.expected]
        if dates and (order.promised_date is None or max(dates) > order.promised_date):
            order.promised_date = max(dates)
    if invoice_policy == "ordered":
        for number in [order.number, *result.split_into]:  # each split-off order is billed on its own
            part = order if number == order.number else await get_order(session, number)
            invoice = await issue_invoice(session, part, today=today, terms_days=payment_terms_days)
            result.invoice_number = result.invoice_number or invoice.number
    return result


def plan_primary(plan: dict[int, list[int]], current: int | None) -> int:
    """The warehouse that keeps the original order number: the current one if it ships anything."""
    return current if current in plan else min(plan)


@dataclass(frozen=True)
class Cancelled:
    order: SalesOrder
    served: list[str] = field(default_factory=list)  # waiting orders that got the stock this one gave back


async def cancel_order(session: AsyncSession, actor: User, order_id: int, *, today: date | None = None) -> Cancelled:
    """Cancels what is still owed. Before anything shipped the order is cancelled and its open invoice with it;
    after a part shipped the rest is cancelled (the order is then shipped in full of what it will get), with a
    credit note when the rest was already billed. The stock it had reserved goes to waiting orders at once
    (what was already picked does after its put-away)."""
    from ..inventory.reservations import release_order
    from ..inventory.shipping import return_picked_to_stock
    from .backorders import serve_backorders

    require(actor, "manage_orders")
    order = await session.get(SalesOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound(N_("There is no such order."))
    if order.status not in CANCELLABLE:
        raise Conflict(N_("Order {number} is already {status} and can't be cancelled."), number=order.number, status=Status(ORDER, order.status))
    from .invoices import cancel_invoices

    billed = (await session.exec(select(Invoice.id).where(Invoice.order_id == order.id, Invoice.kind == "invoice",
                                                          Invoice.shipment_id.is_(None), Invoice.status != "cancelled"))).first()
    released = Decimal(0)
    if order.status != OrderStatus.draft:
        released = await release_order(session, order)
        await return_picked_to_stock(session, order)
    lines = [ln for ln, _ in await order_lines(session, order.id)]
    cancelled = [(ln, ln.backordered) for ln in lines if ln.backordered > 0]
    for ln, qty in cancelled:
        ln.cancelled_qty = ln.cancelled_qty + qty
    if any(ln.shipped_qty > 0 for ln in lines):
        order.status = OrderStatus.shipped
        if billed is not None:  # the whole order was billed on confirmation: credit what will not come
            await issue_credit_note(session, order, cancelled, today=today or date.today())
    else:
        order.status = OrderStatus.cancelled
        await cancel_invoices(session, order.id)
    await session.flush()
    served = await serve_backorders(session, order.warehouse_id, {ln.product_id for ln in lines}) if released > 0 else []
    return Cancelled(order, served)


async def return_goods(session: AsyncSession, actor: User, order_id: int, product_id: int, quantity: Decimal, *,
                       today: date | None = None) -> Invoice:
    """The customer sends shipped goods back: they go to the warehouse's dock with a put-away task, and the
    customer gets a credit note for them. Returns the credit note."""
    from ..inventory.shipping import receive_return

    require(actor, "manage_orders")
    order = await session.get(SalesOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound(N_("There is no such order."))
    lines = [ln for ln, _ in await order_lines(session, order.id) if ln.product_id == product_id]
    if not lines:
        raise NotFound(N_("Order {number} has no such product."), number=order.number)
    product = await session.get(Product, product_id)
    qty = check_quantity(quantity, product.unit)
    returnable = sum((ln.shipped_qty - ln.returned_qty for ln in lines), Decimal(0))
    if qty > returnable:
        raise InvalidInput(N_("Only {qty} of {sku} were shipped and not yet returned."), qty=f"{returnable.normalize():f}",
                           sku=product.sku)
    parts, left = [], qty
    for ln in lines:
        take = min(left, ln.shipped_qty - ln.returned_qty)
        if take > 0:
            ln.returned_qty = ln.returned_qty + take
            parts.append((ln, take))
            left -= take
    await receive_return(session, order, product_id, qty, actor)
    note = await issue_credit_note(session, order, parts, today=today or date.today())
    await session.flush()
    return note
