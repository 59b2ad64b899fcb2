"""Booking one confirmed pick task: the writes behind "I took 3".

What changes, all in the caller's transaction:
  - the task's reservation goes down by what was picked plus the shortage it still covered;
  - the order line: reserved_qty down by the same, picked_qty up by what was picked;
  - the task: picked and short quantities, done; the pick list: done after its last task;
  - the stock (picked > 0): bin -> packing dock through the ledger — a move, the bin quant down
    (on hand by what was picked, reserved by what was released, never below zero), the dock quant up;
    with nothing picked, only the bin quant's reserved goes down.

Everything is written with set-based statements that check while they write, so nothing is
read under a row lock first: the reservation by compare-and-set against the value read with
the tasks, the bin quant by an UPDATE that matches only while there is enough on hand and
reserved. Where the database offers it (PostgreSQL: storage/pg_pick.py, data-modifying CTEs chained
so that each write happens only if the one before it did) a confirmed pick is ONE statement, the move's
audit entry included; elsewhere, and for the rarer paths, a few statements through ledger.post_move. The rows other
pickers also need (the bin and dock quants) are written last, so their row locks are held only until the commit that follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from ..audit.recorder import Change, created_row, note_changed, plain
from ..database import database_of
from ..errors import Conflict, N_
from ..models import (
    Location, LocationKind, PickList, PickListStatus, PickStepKind, PickTask, SalesOrderLine, StockMove,
    StockQuant, StockReservation, utcnow,
)
from ..models.base import Qty
from .common import fmt_qty
from .core_sql import refresh_loaded, round3
from .ledger import explain_refused_take, post_move
from .reservations import release_quant_reserved
from .tasks import check_pick_face


@dataclass(frozen=True)
class OpenList:
    id: int
    status: str
    picker_id: int | None
    warehouse_id: int
    packing_location_id: int
    order_number: str
    packing_code: str
    packing_kind: str
    order_id: int = 0


@dataclass(frozen=True)
class OpenTask:
    """An open pick task with what the picker is shown and what booking it needs."""

    id: int  # the task's
    step: str
    order_line_id: int
    reservation_id: int
    product_id: int
    location_id: int
    lot: str
    expiry: date | None
    quantity: Decimal
    picked_qty: Decimal
    sku: str
    product_name: str
    unit: str
    bin_code: str
    bin_kind: str
    bin_warehouse_id: int | None
    bin_min_qty: Decimal | None
    line_no: int
    reserved: Decimal  # what the task's reservation held when it was read


@dataclass(frozen=True)
class _Loc:
    """The few columns of a location post_move needs."""

    id: int
    code: str
    kind: str
    warehouse_id: int | None


_pl = PickList.__table__
_task = PickTask.__table__
_line = SalesOrderLine.__table__
_res = StockReservation.__table__
_QTY = Qty()

_CLOSE_LIST = (
    sa.update(_pl).where(_pl.c.id == sa.bindparam("pick_list_id"), _pl.c.status == PickListStatus.open.value)
    .values(status=PickListStatus.done.value, finished_at=sa.bindparam("now"))
)
# Compare-and-set: the reservation read with the tasks is changed only if nobody changed it since.
_SET_RESERVATION = (
    sa.update(_res).where(_res.c.id == sa.bindparam("res_id"), _res.c.quantity == sa.bindparam("old", type_=_QTY))
    .values(quantity=sa.bindparam("new", type_=_QTY)).returning(_res.c.id)
)
_LOCK_RESERVATION = sa.select(_res.c.quantity).where(_res.c.id == sa.bindparam("res_id")).with_for_update()
_BOOK_LINE = (
    sa.update(_line).where(_line.c.id == sa.bindparam("line_id"))
    .values(reserved_qty=round3(_line.c.reserved_qty - sa.bindparam("released", type_=_QTY)),
            picked_qty=round3(_line.c.picked_qty + sa.bindparam("picked", type_=_QTY)))
    .returning(_line.c.reserved_qty, _line.c.picked_qty)
)
_FINISH_TASK = (
    sa.update(_task).where(_task.c.id == sa.bindparam("task_id"), _task.c.step == sa.bindparam("from_step"))
    .values(picked_qty=round3(_task.c.picked_qty + sa.bindparam("picked", type_=_QTY)),
            short_qty=round3(_task.c.short_qty + sa.bindparam("short", type_=_QTY)),
            step=PickStepKind.done.value, done_at=sa.bindparam("now"))
    .returning(_task.c.picked_qty, _task.c.short_qty)
)

# The audit row's fields the statement takes as parameters (entity_id is the new move's id).
_AUDIT_FIELDS = ("at", "actor_user_id", "actor", "channel", "entity", "label", "part", "action", "before", "after")


def _released(task: OpenTask, reserved: Decimal, picked: Decimal, short: Decimal) -> Decimal:
    """How much of the reservation goes: what was picked, and as much of the shortage as it still covers."""
    if picked > reserved:
        raise Conflict(N_("Only {reserved} are reserved for this line in {bin}; cannot take {quantity}."),
                       reserved=fmt_qty(reserved), bin=task.bin_code, quantity=fmt_qty(picked))
    return picked + min(short, reserved - picked)


async def _locked_reservation(conn, task: OpenTask) -> Decimal:
    """The reservation changed since it was read (a count gave some of it back): read it again under lock."""
    return (await conn.execute(_LOCK_RESERVATION, {"res_id": task.reservation_id})).scalar_one()


async def _log_line(session: AsyncSession, pl: OpenList, task: OpenTask, *, released: Decimal, picked: Decimal,
                    reserved_after: Decimal, picked_after: Decimal) -> None:
    """The order line's reserved and picked quantities change in a Core statement: log it as the ORM would."""
    before, after = {}, {}
    if released:
        before["reserved_qty"], after["reserved_qty"] = plain(reserved_after + released), plain(reserved_after)
    if picked:
        before["picked_qty"], after["picked_qty"] = plain(picked_after - picked), plain(picked_after)
    if after:
        await note_changed(session, Change(entity="order", entity_id=str(pl.order_id), label=None,
                                           part=f"line:{task.line_no}", action="changed", before=before, after=after))


async def close_list(session: AsyncSession, conn, pl: OpenList) -> None:
    now = utcnow()
    await conn.execute(_CLOSE_LIST, {"pick_list_id": pl.id, "now": now})
    refresh_loaded(session, PickList, pl.id, status=PickListStatus.done.value, finished_at=now)


async def book_task(session: AsyncSession, conn, pl: OpenList, tasks: list[OpenTask], picked: Decimal) -> tuple[Decimal, int | None]:
    """Books `picked` of the first open task and closes it (and the list after its last task).
    Returns (short, refill task id)."""
    task = tasks[0]
    short = task.quantity - task.picked_qty - picked
    one_statement = database_of(conn).confirmed_pick
    if picked > 0 and one_statement is not None and not LocationKind(pl.packing_kind).virtual:
        await _book_pick_at_once(session, conn, one_statement, pl, task, picked, short, last=len(tasks) == 1)
    else:
        await _book_in_steps(session, conn, pl, tasks, picked, short)
    refill = None
    if picked > 0 and task.bin_kind == LocationKind.pick.value and task.bin_min_qty is not None:
        refill_task = await check_pick_face(session, await session.get(Location, task.location_id), task.product_id)
        refill = refill_task.id if refill_task else None
    return max(short, Decimal(0)), refill


async def _book_pick_at_once(session: AsyncSession, conn, statement, pl: OpenList, task: OpenTask, picked: Decimal,
                             short: Decimal, *, last: bool) -> None:
    """The booking as the database's one statement (Database.confirmed_pick): these parameters in, one row
    out (res_ok, src_*, line_*, task_*, list_closed, dock_*, move_id)."""
    reserved = task.reserved
    now = utcnow()
    move = StockMove(product_id=task.product_id, from_location_id=task.location_id, to_location_id=pl.packing_location_id,
                     quantity=picked, lot=task.lot, expiry=task.expiry, reason="pick", document=pl.order_number,
                     user_id=pl.picker_id, created_at=now)
    # Its audit entry goes in with it, in the same statement (the flush hook cannot see a Core insert).
    log = created_row(session, move)
    audit = {"audited": log is not None, **{f"a_{k}": (log or {}).get(k) for k in _AUDIT_FIELDS}}
    for attempt in range(2):
        released = _released(task, reserved, picked, short)
        row = (await conn.execute(statement, dict(
            **audit,
            res_id=task.reservation_id, res_old=reserved, res_new=reserved - released, picked=picked, released=released,
            short=short, product_id=task.product_id, bin_id=task.location_id, lot=task.lot, expiry=task.expiry,
            dock_id=pl.packing_location_id, line_id=task.order_line_id, task_id=task.id, from_step=task.step,
            pick_list_id=pl.id, last_task=last, document=pl.order_number, user_id=pl.picker_id, now=now,
        ))).one()
        if row.res_ok:
            break
        if attempt == 0:  # nothing was written: decide again on the locked value
            reserved = await _locked_reservation(conn, task)
    else:
        raise Conflict(N_("A reservation would become negative."))  # not reached: the second try holds the lock
    if row.src_id is None:
        await explain_refused_take(conn, product_id=task.product_id, location_id=task.location_id, lot=task.lot,
                                   location_code=task.bin_code, quantity=picked, release=released)
    if row.task_picked is None:  # cannot happen under the pick list lock; refuse rather than book twice
        raise Conflict(N_("Nothing is left to pick on this list."))

    refresh_loaded(session, StockReservation, task.reservation_id, quantity=reserved - released)
    refresh_loaded(session, StockQuant, row.src_id, quantity=row.src_quantity, reserved=row.src_reserved, expiry=row.src_expiry)
    refresh_loaded(session, SalesOrderLine, task.order_line_id, reserved_qty=row.line_reserved, picked_qty=row.line_picked)
    await _log_line(session, pl, task, released=released, picked=picked, reserved_after=row.line_reserved,
                    picked_after=row.line_picked)
    refresh_loaded(session, PickTask, task.id, picked_qty=row.task_picked, short_qty=row.task_short,
                   step=PickStepKind.done.value, done_at=now)
    if row.list_closed:
        refresh_loaded(session, PickList, pl.id, status=PickListStatus.done.value, finished_at=now)
    refresh_loaded(session, StockQuant, row.dock_id, quantity=row.dock_quantity, reserved=row.dock_reserved,
                   expiry=row.dock_expiry)


async def _book_in_steps(session: AsyncSession, conn, pl: OpenList, tasks: list[OpenTask], picked: Decimal,
                         short: Decimal) -> None:
    """The same booking as a few statements (SQLite, and shortages with nothing picked)."""
    task = tasks[0]
    reserved = task.reserved
    for attempt in range(2):
        released = _released(task, reserved, picked, short)
        params = {"res_id": task.reservation_id, "old": reserved, "new": reserved - released}
        if (await conn.execute(_SET_RESERVATION, params)).first() is not None:
            break
        if attempt == 0:
            reserved = await _locked_reservation(conn, task)
    else:
        raise Conflict(N_("A reservation would become negative."))  # not reached: the second try holds the lock
    refresh_loaded(session, StockReservation, task.reservation_id, quantity=reserved - released)

    line = (await conn.execute(_BOOK_LINE, {"line_id": task.order_line_id, "released": released, "picked": picked})).one()
    refresh_loaded(session, SalesOrderLine, task.order_line_id, reserved_qty=line.reserved_qty, picked_qty=line.picked_qty)
    await _log_line(session, pl, task, released=released, picked=picked, reserved_after=line.reserved_qty,
                    picked_after=line.picked_qty)
    now = utcnow()
    done = (await conn.execute(_FINISH_TASK, {"task_id": task.id, "from_step": task.step, "picked": picked,
                                              "short": short, "now": now})).first()
    if done is None:  # cannot happen under the pick list lock; refuse rather than book twice
        raise Conflict(N_("Nothing is left to pick on this list."))
    refresh_loaded(session, PickTask, task.id, picked_qty=done.picked_qty, short_qty=done.short_qty,
                   step=PickStepKind.done.value, done_at=now)
    if len(tasks) == 1:
        await close_list(session, conn, pl)

    if picked > 0:
        await post_move(
            session, product_id=task.product_id,
            from_location=_Loc(task.location_id, task.bin_code, task.bin_kind, task.bin_warehouse_id),
            to_location=_Loc(pl.packing_location_id, pl.packing_code, pl.packing_kind, pl.warehouse_id),
            quantity=picked, reason="pick", lot=task.lot, expiry=task.expiry, document=pl.order_number,
            user_id=pl.picker_id, release_reserved=released,
            allow_negative=False,  # a pick takes reserved stock: it can never drive a bin negative
        )
    elif released > 0:
        await release_quant_reserved(session, task.product_id, task.location_id, task.lot, released)
