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

A step reads the list with all its open tasks (product, bin, order line and
reservation joined) in one statement and answers the next step from that read;
the writes of a confirmation are in pick_booking.py.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, Np_, NotFound
from ..models import Location, OrderStatus, PickList, PickListStatus, PickStepKind, PickTask, Product, SalesOrder, SalesOrderLine, StockReservation, User
from ..units import UnitWord
from .common import PACKING_CODE, Note, find_location, fmt_qty, locked, note, parse_quantity, resolve_product, walking_key, working_location
from .core_sql import connection, refresh_loaded
from .pick_booking import OpenList, OpenTask, book_task, close_list
from ..status_labels import ORDER, PICK, Status


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


# ---- reading a pick list: one statement, whatever the number of tasks --------------------

_pl = PickList.__table__
_task = PickTask.__table__
_pack = Location.__table__.alias("pack")
_bin = Location.__table__.alias("bin")
_product = Product.__table__
_line = SalesOrderLine.__table__
_res = StockReservation.__table__
_order = SalesOrder.__table__

_LIST_COLUMNS = (
    _pl.c.id, _pl.c.status, _pl.c.picker_id, _pl.c.warehouse_id, _pl.c.packing_location_id,
    _order.c.number.label("order_number"), _pack.c.code.label("packing_code"), _pack.c.kind.label("packing_kind"),
    _pl.c.order_id,
)
_TASK_COLUMNS = (
    _task.c.id.label("task_id"), _task.c.step, _task.c.order_line_id, _task.c.reservation_id, _task.c.product_id,
    _task.c.location_id, _task.c.lot, _task.c.expiry, _task.c.quantity, _task.c.picked_qty,
    _product.c.sku, _product.c.name.label("product_name"), _product.c.unit,
    _bin.c.code.label("bin_code"), _bin.c.kind.label("bin_kind"), _bin.c.warehouse_id.label("bin_warehouse_id"),
    _bin.c.min_qty.label("bin_min_qty"), _line.c.line_no, _res.c.quantity.label("reserved"),
)
_LIST = (
    sa.select(*_LIST_COLUMNS)
    .join(_order, _order.c.id == _pl.c.order_id)
    .join(_pack, _pack.c.id == _pl.c.packing_location_id)
    .where(_pl.c.id == sa.bindparam("pick_list_id"))
)
# The list with its open tasks in walking order, one row per task (none when no task is open).
_LIST_AND_TASKS = (
    _LIST.add_columns(*_TASK_COLUMNS)
    .join(_task, _task.c.pick_list_id == _pl.c.id)
    .join(_product, _product.c.id == _task.c.product_id)
    .join(_bin, _bin.c.id == _task.c.location_id)
    .join(_line, _line.c.id == _task.c.order_line_id)
    .join(_res, _res.c.id == _task.c.reservation_id)
    .where(_task.c.step != PickStepKind.done.value)
    .order_by(_task.c.seq)
)
# Locking the list row serialises the messages of one picker: a double-submitted confirmation waits,
# then sees the task done. The open tasks are locked too so that, on PostgreSQL, a statement that had to
# wait returns their latest versions (READ COMMITTED re-checks locked rows only); SQLite's BEGIN IMMEDIATE
# serialises writers anyway and drops FOR UPDATE.
_LOCK_LIST_AND_TASKS = _LIST_AND_TASKS.with_for_update(of=[_pl, _task])

_CLOSE_LIST = (
    sa.update(_pl).where(_pl.c.id == sa.bindparam("pick_list_id"), _pl.c.status == PickListStatus.open.value)
    .values(status=PickListStatus.done.value, finished_at=sa.bindparam("now"))
)
_SET_STEP = (
    sa.update(_task).where(_task.c.id == sa.bindparam("task_id"), _task.c.step == sa.bindparam("from_step"))
    .values(step=sa.bindparam("to_step")).returning(_task.c.id)
)
_LIST_FIELDS = [c.name for c in _LIST_COLUMNS]
_TASK_FIELDS = [c.name for c in _TASK_COLUMNS]
_N_LIST = len(_LIST_COLUMNS)  # a row is the list's columns, then the task's (add_columns appends)
# Only the first open task: what the next input must be, without reading the whole list.
_LIST_AND_FIRST_TASK = _LIST_AND_TASKS.limit(1)


async def _read_list(conn, pick_list_id: int, *, lock: bool, first_only: bool = False) -> tuple[OpenList, list[OpenTask]]:
    """The pick list and its open tasks (or only the first): one statement, two when no task is open."""
    query = _LIST_AND_FIRST_TASK if first_only else _LOCK_LIST_AND_TASKS if lock else _LIST_AND_TASKS
    rows = (await conn.execute(query, {"pick_list_id": pick_list_id})).all()
    if not rows:
        row = (await conn.execute(_LIST, {"pick_list_id": pick_list_id})).first()
        if row is None:
            raise NotFound(N_("No pick list {id}."), id=pick_list_id)
        return OpenList(*row), []
    pl = OpenList(*rows[0][:_N_LIST])
    return pl, [OpenTask(*r[_N_LIST:]) for r in rows]


async def lock_pick_list(session: AsyncSession, pick_list_id: int) -> None:
    """Takes the row locks a pick confirmation takes first, with the same statement (so in the same
    order): work that also changes a list's reservations and quants takes them in the pick's order."""
    await (await connection(session)).execute(_LOCK_LIST_AND_TASKS, {"pick_list_id": pick_list_id})


def _step_of(pl: OpenList, tasks: list[OpenTask], happened: Note | None = None, refill: int | None = None) -> PickStep:
    """The next step: the first open task in walking order, or done."""
    if not tasks:
        return PickStep(pl.id, pl.order_number, PickStepKind.done, happened=happened, refill_task_id=refill)
    t = tasks[0]
    return PickStep(
        pick_list_id=pl.id, order_number=pl.order_number, expect=PickStepKind(t.step), task_id=t.id,
        line_no=t.line_no, bin_code=t.bin_code, sku=t.sku, product_name=t.product_name, unit=t.unit,
        lot=t.lot, expiry=t.expiry, quantity=t.quantity - t.picked_qty, tasks_left=len(tasks),
        happened=happened, refill_task_id=refill,
    )


async def _step(session: AsyncSession, pick_list_id: int, happened: Note | None = None, *,
                first_only: bool = False) -> PickStep:
    conn = await connection(session)
    pl, tasks = await _read_list(conn, pick_list_id, lock=False, first_only=first_only)
    if not tasks and pl.status == PickListStatus.open:  # the last task was finished: the list is done
        await close_list(session, conn, pl)
    return _step_of(pl, tasks, happened)


async def start_pick(session: AsyncSession, order: SalesOrder, user: User) -> PickStep:
    """Opens the pick list of an order (or resumes the open one) for this picker."""
    order = await locked(session, SalesOrder, order.id)
    existing = (await session.exec(select(PickList).where(
        PickList.order_id == order.id, PickList.status == PickListStatus.open
    ).with_for_update().execution_options(populate_existing=True))).first()
    if existing is not None:
        if existing.picker_id not in (None, user.id):
            picker = await session.get(User, existing.picker_id)
            raise Conflict(N_("Order {number} is being picked by {name}."), number=order.number, name=picker.name)
        existing.picker_id = user.id
        await session.flush()
        return await _step(session, existing.id, note(N_("Resuming the pick of order {number}."), number=order.number))

    if order.status not in (OrderStatus.confirmed, OrderStatus.reserved, OrderStatus.picking, OrderStatus.partially_shipped):
        raise InvalidInput(N_("Order {number} is {status}; it cannot be picked."), number=order.number, status=Status(ORDER, order.status))
    if order.status == OrderStatus.confirmed:
        # A confirmed order nobody reserved yet: reserve what free stock allows now.
        from .reservations import reserve_order

        result = await reserve_order(session, order)
        short = ", ".join(f"{ln.sku} {fmt_qty(ln.short)}" for ln in result.lines if ln.short > 0)
    else:
        short = ""
    reservations = (await session.exec(select(StockReservation).where(
        StockReservation.order_id == order.id, StockReservation.quantity > 0
    ))).all()
    if not reservations:
        raise Conflict(N_("Order {number} can't be picked yet: nothing of it is in free stock (short: {short})."),
                       number=order.number, short=short or "-")

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
    return await _step(session, pl.id, note(Np_("Pick list for order {number}: {count} bin to visit.", "Pick list for order {number}: {count} bins to visit."),
                                            number=order.number, count=len(keyed)))


async def current_pick_step(session: AsyncSession, pick_list_id: int) -> PickStep:
    return await _step(session, pick_list_id)


async def expected_pick_step(session: AsyncSession, pick_list_id: int) -> PickStep:
    """The next step (what the next input must be) from the first open task alone: tasks_left is
    1 while any task is open. For deciding how to read an input; the step to show comes from the
    confirmation, which reads (and locks) the whole list."""
    return await _step(session, pick_list_id, first_only=True)


async def open_pick_for(session: AsyncSession, user: User) -> PickStep | None:
    """The pick this person left unfinished, if any (to resume after an interruption)."""
    pl = (await session.exec(select(PickList.id).where(
        PickList.picker_id == user.id, PickList.status == PickListStatus.open
    ).order_by(PickList.id))).first()
    return await _step(session, pl) if pl else None


async def _current(session: AsyncSession, pick_list_id: int, user: User, expect: PickStepKind | None):
    """Locks the pick list and returns it with its open tasks; the first one must be at step `expect`."""
    conn = await connection(session)
    pl, tasks = await _read_list(conn, pick_list_id, lock=True)
    if pl.status != PickListStatus.open:
        raise Conflict(N_("This pick list is {status}."), status=Status(PICK, pl.status))
    if pl.picker_id not in (None, user.id):
        raise Conflict(N_("This pick list belongs to another picker."))
    if not tasks:
        raise Conflict(N_("Nothing is left to pick on this list."))
    task = tasks[0]
    if expect is not None and task.step != expect:
        hints = {
            PickStepKind.scan_bin: note(N_("Scan the bin {bin} first."), bin=task.bin_code),
            PickStepKind.scan_product: note(N_("Scan the product {sku} first."), sku=task.sku),
            PickStepKind.enter_quantity: note(N_("Enter the quantity of {sku} you took."), sku=task.sku),
        }
        hint = hints[PickStepKind(task.step)]
        raise InvalidInput(hint.template, **hint.params)
    return conn, pl, tasks


async def _advance(session: AsyncSession, conn, pl: OpenList, tasks: list[OpenTask], to: PickStepKind, happened: Note) -> PickStep:
    """The first task goes on to the next scan step."""
    task = tasks[0]
    done = (await conn.execute(_SET_STEP, {"task_id": task.id, "from_step": task.step, "to_step": to.value})).first()
    if done is None:  # cannot happen under the pick list lock; refuse rather than guess
        raise Conflict(N_("Nothing is left to pick on this list."))
    refresh_loaded(session, PickTask, task.id, step=to.value)
    return _step_of(pl, [replace(task, step=to.value), *tasks[1:]], happened)


async def scan_pick_bin(session: AsyncSession, pick_list_id: int, user: User, code: str) -> PickStep:
    conn, pl, tasks = await _current(session, pick_list_id, user, PickStepKind.scan_bin)
    task = tasks[0]
    scanned = await find_location(session, pl.warehouse_id, code)
    if scanned is None or scanned.id != task.location_id:
        raise InvalidInput(N_("Wrong bin: expected {expected}, you scanned {scanned}."),
                           expected=task.bin_code, scanned=code.strip())
    return await _advance(session, conn, pl, tasks, PickStepKind.scan_product,
                          note(N_("Bin {bin} confirmed."), bin=task.bin_code))


async def scan_pick_product(session: AsyncSession, pick_list_id: int, user: User, code: str) -> PickStep:
    conn, pl, tasks = await _current(session, pick_list_id, user, PickStepKind.scan_product)
    task = tasks[0]
    try:
        scanned = await resolve_product(session, code)
    except NotFound:
        scanned = None
    if scanned is None or scanned.product.id != task.product_id:
        raise InvalidInput(N_("Wrong product: expected {sku} ({name}), you scanned {scanned}."),
                           sku=task.sku, name=task.product_name, scanned=code.strip())
    if scanned.pack_qty != 1:
        happened = note(N_("{sku} confirmed (a pack of {pack}). How many {unit} did you take?"),
                        sku=task.sku, pack=fmt_qty(scanned.pack_qty), unit=UnitWord(task.unit))
    else:
        happened = note(N_("{sku} confirmed."), sku=task.sku)
    return await _advance(session, conn, pl, tasks, PickStepKind.enter_quantity, happened)


async def confirm_pick_quantity(session: AsyncSession, pick_list_id: int, user: User, quantity) -> PickStep:
    """The quantity taken from the bin; less than asked records a shortage and moves to the next bin."""
    conn, pl, tasks = await _current(session, pick_list_id, user, PickStepKind.enter_quantity)
    task = tasks[0]
    qty = parse_quantity(quantity, unit=task.unit)
    remaining = task.quantity - task.picked_qty
    if qty > remaining:
        raise InvalidInput(N_("Too many: take at most {max} of {sku} here."),
                           max=fmt_qty(remaining, task.unit), sku=task.sku)
    short, refill = await book_task(session, conn, pl, tasks, qty)
    if short > 0:
        happened = note(N_("Picked {qty} of {sku}; {short} short recorded."),
                        qty=fmt_qty(qty, task.unit), sku=task.sku, short=fmt_qty(short))
    else:
        happened = note(N_("Picked {qty} of {sku}."), qty=fmt_qty(qty, task.unit), sku=task.sku)
    return _step_of(pl, tasks[1:], happened, refill)


async def report_pick_shortage(session: AsyncSession, pick_list_id: int, user: User) -> PickStep:
    """Nothing to take at the current bin (empty or damaged): records the whole task short and moves on."""
    conn, pl, tasks = await _current(session, pick_list_id, user, None)
    task = tasks[0]
    short, _ = await book_task(session, conn, pl, tasks, Decimal(0))
    return _step_of(pl, tasks[1:], note(N_("{short} of {sku} recorded short."),
                                        short=fmt_qty(short, task.unit), sku=task.sku))
