"""Picking an order, one step per input, with the progress kept in the database.

    step = await start_pick(session, order, user)        # expect scan_bin
    step = await scan_pick_bin(session, step.pick_list_id, user, "A-01-02")
    step = await scan_pick_product(session, step.pick_list_id, user, "5901234123457")
    step = await confirm_pick_quantity(session, step.pick_list_id, user, "3")
    ...                                                    # until step.expect == done

Every step locks the pick list row first, so two messages of one picker are
applied one after the other and a fresh session sees the same next step. A
confirmed quantity moves stock bin -> packing dock, consumes the reservation
and may create a refill task for the pick face, all in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, NotFound
from ..models.sales import OrderStatus
from ..models import (
    Location, PickList, PickListStatus, PickStepKind, PickTask, Product, SalesOrder, SalesOrderLine,
    StockReservation, User, utcnow,
)
from .common import PACKING_CODE, Note, find_location, fmt_qty, locked, note, parse_quantity, resolve_product, walking_key, working_location
from .ledger import post_move
from .reservations import change_reserved
from .tasks import check_pick_face


@dataclass(frozen=True)
class PickStep:
    """Where a pick stands: what the picker must do next, and what their last input did."""

    pick_list_id: int
    order_number: str
    expect: PickStepKind
    task_id: int | None = None
    line_no: int | None = None
    bin_code: str | None = None
    sku: str | None = None
    product_name: str | None = None
    unit: str | None = None
    lot: str = ""
    expiry: date | None = None
    quantity: Decimal | None = None  # still to take on this task
    tasks_left: int = 0
    happened: Note | None = None
    refill_task_id: int | None = None  # a pick-face refill this step created


async def _tasks(session: AsyncSession, pick_list_id: int) -> list[PickTask]:
    stmt = select(PickTask).where(PickTask.pick_list_id == pick_list_id).order_by(PickTask.seq)
    return list((await session.exec(stmt.execution_options(populate_existing=True))).all())


async def _step(session: AsyncSession, pl: PickList, happened: Note | None = None, refill: int | None = None) -> PickStep:
    order = await session.get(SalesOrder, pl.order_id)
    open_tasks = [t for t in await _tasks(session, pl.id) if t.step != PickStepKind.done]
    if not open_tasks:
        return PickStep(pl.id, order.number, PickStepKind.done, happened=happened, refill_task_id=refill)
    t = open_tasks[0]
    product = await session.get(Product, t.product_id)
    loc = await session.get(Location, t.location_id)
    line = await session.get(SalesOrderLine, t.order_line_id)
    return PickStep(
        pick_list_id=pl.id, order_number=order.number, expect=PickStepKind(t.step), task_id=t.id,
        line_no=line.line_no, bin_code=loc.code, sku=product.sku, product_name=product.name, unit=product.unit,
        lot=t.lot, expiry=t.expiry, quantity=t.quantity - t.picked_qty, tasks_left=len(open_tasks),
        happened=happened, refill_task_id=refill,
    )


async def start_pick(session: AsyncSession, order: SalesOrder, user: User) -> PickStep:
    """Opens the pick list of an order (or resumes the open one) for this picker."""
    order = await locked(session, SalesOrder, order.id)
    existing = (await session.exec(select(PickList).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ).with_for_update())).first()
    if existing is not None:
        if existing.picker_id not in (None, user.id):
            picker = await session.get(User, existing.picker_id)
            raise Conflict(N_("Order {number} is being picked by {name}."), number=order.number, name=picker.name)
        existing.picker_id = user.id
        await session.flush()
        return await _step(session, existing, note(N_("Resuming the pick of order {number}."), number=order.number))

    if order.status not in (OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.picking):
        raise InvalidInput(N_("Order {number} is {status}; it cannot be picked."), number=order.number, status=order.status)
    reservations = (await session.exec(select(StockReservation).where(
        StockReservation.order_id == order.id, StockReservation.quantity > 0
    ))).all()
    if not reservations:
        raise Conflict(N_("Nothing is reserved for order {number}; reserve it first."), number=order.number)

    packing = await working_location(session, order.warehouse_id, PACKING_CODE)
    pl = PickList(order_id=order.id, warehouse_id=order.warehouse_id, picker_id=user.id, packing_location_id=packing.id)
    session.add(pl)
    await session.flush()
    keyed = []
    for res in reservations:
        loc = await session.get(Location, res.location_id)
        line = await session.get(SalesOrderLine, res.order_line_id)
        keyed.append(((walking_key(loc), res.expiry is None, res.expiry or date.min, line.line_no), res))
    for seq, (_, res) in enumerate(sorted(keyed, key=lambda kv: kv[0]), start=1):
        session.add(PickTask(
            pick_list_id=pl.id, seq=seq, order_line_id=res.order_line_id, reservation_id=res.id,
            product_id=res.product_id, location_id=res.location_id, lot=res.lot, expiry=res.expiry,
            quantity=res.quantity,
        ))
    order.status = OrderStatus.picking
    await session.flush()
    return await _step(session, pl, note(N_("Pick list for order {number}: {count} bins to visit."),
                                         number=order.number, count=len(keyed)))


async def current_pick_step(session: AsyncSession, pick_list_id: int) -> PickStep:
    pl = await session.get(PickList, pick_list_id)
    if pl is None:
        raise NotFound(N_("No pick list {id}."), id=pick_list_id)
    return await _step(session, pl)


async def open_pick_for(session: AsyncSession, user: User) -> PickStep | None:
    """The pick this person left unfinished, if any (to resume after an interruption)."""
    pl = (await session.exec(select(PickList).where(
        PickList.picker_id == user.id, PickList.status == PickListStatus.open
    ).order_by(PickList.id))).first()
    return await _step(session, pl) if pl else None


async def _current(session: AsyncSession, pick_list_id: int, user: User, expect: PickStepKind) -> tuple[PickList, PickTask]:
    pl = await locked(session, PickList, pick_list_id)
    if pl.status != PickListStatus.open:
        raise Conflict(N_("This pick list is {status}."), status=pl.status)
    if pl.picker_id not in (None, user.id):
        raise Conflict(N_("This pick list belongs to another picker."))
    task = next((t for t in await _tasks(session, pl.id) if t.step != PickStepKind.done), None)
    if task is None:
        raise Conflict(N_("Nothing is left to pick on this list."))
    if expect is not None and task.step != expect:
        loc = await session.get(Location, task.location_id)
        product = await session.get(Product, task.product_id)
        hints = {
            PickStepKind.scan_bin: note(N_("Scan the bin {bin} first."), bin=loc.code),
            PickStepKind.scan_product: note(N_("Scan the product {sku} first."), sku=product.sku),
            PickStepKind.enter_quantity: note(N_("Enter the quantity of {sku} you took."), sku=product.sku),
        }
        hint = hints[PickStepKind(task.step)]
        raise InvalidInput(hint.template, **hint.params)
    return pl, task


async def scan_pick_bin(session: AsyncSession, pick_list_id: int, user: User, code: str) -> PickStep:
    pl, task = await _current(session, pick_list_id, user, PickStepKind.scan_bin)
    expected = await session.get(Location, task.location_id)
    scanned = await find_location(session, pl.warehouse_id, code)
    if scanned is None or scanned.id != expected.id:
        raise InvalidInput(N_("Wrong bin: expected {expected}, you scanned {scanned}."),
                           expected=expected.code, scanned=code.strip())
    task.step = PickStepKind.scan_product
    await session.flush()
    return await _step(session, pl, note(N_("Bin {bin} confirmed."), bin=expected.code))


async def scan_pick_product(session: AsyncSession, pick_list_id: int, user: User, code: str) -> PickStep:
    pl, task = await _current(session, pick_list_id, user, PickStepKind.scan_product)
    expected = await session.get(Product, task.product_id)
    try:
        scanned = await resolve_product(session, code)
    except NotFound:
        scanned = None
    if scanned is None or scanned.product.id != expected.id:
        raise InvalidInput(N_("Wrong product: expected {sku} ({name}), you scanned {scanned}."),
                           sku=expected.sku, name=expected.name, scanned=code.strip())
    task.step = PickStepKind.enter_quantity
    await session.flush()
    if scanned.pack_qty != 1:
        happened = note(N_("{sku} confirmed (a pack of {pack}). Enter the quantity in {unit}."),
                        sku=expected.sku, pack=fmt_qty(scanned.pack_qty), unit=expected.unit)
    else:
        happened = note(N_("{sku} confirmed."), sku=expected.sku)
    return await _step(session, pl, happened)


async def _finish_task(session: AsyncSession, pl: PickList, task: PickTask, picked: Decimal) -> tuple[Decimal, int | None]:
    """Books what was picked, releases what was not, closes the task. Returns (short, refill task id)."""
    order = await session.get(SalesOrder, pl.order_id)
    line = await locked(session, SalesOrderLine, task.order_line_id)
    res = await locked(session, StockReservation, task.reservation_id)
    loc = await session.get(Location, task.location_id)
    remaining = task.quantity - task.picked_qty
    if picked > res.quantity:
        raise Conflict(N_("Only {reserved} are reserved for this line in {bin}; cannot take {quantity}."),
                       reserved=fmt_qty(res.quantity), bin=loc.code, quantity=fmt_qty(picked))
    refill = None
    if picked > 0:
        packing = await session.get(Location, pl.packing_location_id)
        # Release the reservation first: post_move then finds the quant already locked and consistent.
        await change_reserved(session, res, -picked)
        await post_move(
            session, product_id=task.product_id, from_location=loc, to_location=packing, quantity=picked,
            reason="pick", lot=task.lot, expiry=task.expiry, document=order.number, user_id=pl.picker_id,
        )
        line.reserved_qty = line.reserved_qty - picked
        line.picked_qty = line.picked_qty + picked
        task.picked_qty = task.picked_qty + picked
        refill_task = await check_pick_face(session, loc, task.product_id)
        refill = refill_task.id if refill_task else None
    short = remaining - picked
    if short > 0:
        give_back = min(short, res.quantity)
        if give_back > 0:
            await change_reserved(session, res, -give_back)
            line.reserved_qty = line.reserved_qty - give_back
        task.short_qty = task.short_qty + short
    task.step = PickStepKind.done
    task.done_at = utcnow()
    if all(t.step == PickStepKind.done for t in await _tasks(session, pl.id)):
        pl.status = PickListStatus.done
        pl.finished_at = utcnow()
    await session.flush()
    return short, refill


async def confirm_pick_quantity(session: AsyncSession, pick_list_id: int, user: User, quantity) -> PickStep:
    """The quantity taken from the bin; less than asked records a shortage and moves to the next bin."""
    pl, task = await _current(session, pick_list_id, user, PickStepKind.enter_quantity)
    product = await session.get(Product, task.product_id)
    qty = parse_quantity(quantity, unit=product.unit)
    remaining = task.quantity - task.picked_qty
    if qty > remaining:
        raise InvalidInput(N_("Too many: take at most {max} {unit} of {sku} here."),
                           max=fmt_qty(remaining), unit=product.unit, sku=product.sku)
    short, refill = await _finish_task(session, pl, task, qty)
    if short > 0:
        happened = note(N_("Picked {qty} {unit} of {sku}; {short} short recorded."),
                        qty=fmt_qty(qty), unit=product.unit, sku=product.sku, short=fmt_qty(short))
    else:
        happened = note(N_("Picked {qty} {unit} of {sku}."), qty=fmt_qty(qty), unit=product.unit, sku=product.sku)
    return await _step(session, pl, happened, refill)


async def report_pick_shortage(session: AsyncSession, pick_list_id: int, user: User) -> PickStep:
    """Nothing to take at the current bin (empty or damaged): records the whole task short and moves on."""
    pl, task = await _current(session, pick_list_id, user, None)
    product = await session.get(Product, task.product_id)
    short, _ = await _finish_task(session, pl, task, Decimal(0))
    return await _step(session, pl, note(N_("{short} {unit} of {sku} recorded short."),
                                         short=fmt_qty(short), unit=product.unit, sku=product.sku))
