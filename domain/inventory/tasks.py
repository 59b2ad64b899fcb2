"""Put-away and replenishment tasks: proposing a bin, offering the next task
to a free worker, and confirming it with the scanned destination bin.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import (
    Location, LocationKind, Product, StockMove, StockQuant, TaskKind, TaskStatus, User, WarehouseTask, utcnow,
)
from .common import Note, find_location, fmt_qty, locked, note, parse_quantity, walking_key
from .ledger import post_move
from ..record_labels import location_kind
from ..status_labels import TASK, Status

# A refill keeps the pick face going; it comes before putting new goods away.
_KIND_PRIORITY = {TaskKind.replenish.value: 0, TaskKind.putaway.value: 1}


@dataclass(frozen=True)
class TaskOffer:
    task_id: int
    kind: str
    sku: str
    product_name: str
    unit: str
    lot: str
    expiry: date | None
    quantity: Decimal  # still to move
    from_bin: str
    to_bin: str | None  # proposed destination (None: any valid bin)
    expect: str = "scan_bin"  # the worker takes the goods from from_bin and scans the destination


@dataclass(frozen=True)
class TaskResult:
    task_id: int
    moved: Decimal
    to_bin: str
    remaining: Decimal
    done: bool
    happened: Note
    served: list[str] = field(default_factory=list)  # orders waiting for this product that got it reserved


# ---- put-away proposal -------------------------------------------------------------------

async def _bin_is_empty(session: AsyncSession, location_id: int) -> bool:
    held = (await session.exec(select(func.count()).select_from(StockQuant).where(
        StockQuant.location_id == location_id, StockQuant.quantity != 0
    ))).one()
    return held == 0


async def propose_bin(session: AsyncSession, warehouse_id: int, product_id: int) -> Location | None:
    """Fixed bin of the product, else a storage bin already holding it, else an empty bin in its zone."""
    fixed = (await session.exec(select(Location).where(
        Location.warehouse_id == warehouse_id, Location.fixed_product_id == product_id,
        Location.kind.in_([LocationKind.storage.value, LocationKind.pick.value]),
    ).order_by(Location.kind != LocationKind.pick.value, Location.code))).first()
    if fixed is not None:
        return fixed
    holding = (await session.exec(
        select(Location)
        .join(StockQuant, StockQuant.location_id == Location.id)
        .where(
            Location.warehouse_id == warehouse_id, Location.kind == LocationKind.storage.value,
            StockQuant.product_id == product_id, StockQuant.quantity > 0,
        )
        .order_by(StockQuant.quantity.desc(), Location.code)
    )).first()
    if holding is not None:
        return holding
    # "Its zone": where the product was last stored in this warehouse.
    last = (await session.exec(
        select(Location.zone)
        .join(StockMove, StockMove.to_location_id == Location.id)
        .where(StockMove.product_id == product_id, Location.warehouse_id == warehouse_id,
               Location.kind == LocationKind.storage.value, Location.zone.is_not(None))
        .order_by(StockMove.id.desc()).limit(1)
    )).first()
    stmt = select(Location).where(
        Location.warehouse_id == warehouse_id, Location.kind == LocationKind.storage.value,
        Location.fixed_product_id.is_(None),
    )
    candidates = sorted((await session.exec(stmt)).all(), key=lambda l: (l.zone != last, walking_key(l)))
    for loc in candidates:
        if await _bin_is_empty(session, loc.id):
            return loc
    return None


async def create_putaway_task(
    session: AsyncSession, *, warehouse_id: int, product_id: int, from_location: Location, quantity: Decimal,
    lot: str = "", expiry: date | None = None, document: str | None = None,
) -> WarehouseTask:
    proposed = await propose_bin(session, warehouse_id, product_id)
    task = WarehouseTask(
        kind=TaskKind.putaway, warehouse_id=warehouse_id, product_id=product_id, lot=lot, expiry=expiry,
        from_location_id=from_location.id, to_location_id=proposed.id if proposed else None,
        quantity=quantity, document=document,
    )
    session.add(task)
    await session.flush()
    return task


# ---- offering and confirming -------------------------------------------------------------

async def _offer(session: AsyncSession, task: WarehouseTask) -> TaskOffer:
    product = await session.get(Product, task.product_id)
    src = await session.get(Location, task.from_location_id)
    dst = await session.get(Location, task.to_location_id) if task.to_location_id else None
    return TaskOffer(
        task_id=task.id, kind=task.kind, sku=product.sku, product_name=product.name, unit=product.unit,
        lot=task.lot, expiry=task.expiry, quantity=task.quantity - task.done_qty,
        from_bin=src.code, to_bin=dst.code if dst else None,
    )


async def next_task_for(session: AsyncSession, user: User) -> TaskOffer | None:
    """The task this worker already holds, else the oldest open one (refills first), now assigned to them.

    Workers asking at the same time never get the same task: rows already
    being claimed are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL).
    """
    held = (await session.exec(select(WarehouseTask).where(
        WarehouseTask.assigned_to_id == user.id, WarehouseTask.status == TaskStatus.assigned
    ).order_by(WarehouseTask.id))).first()
    if held is not None:
        return await _offer(session, held)
    stmt = select(WarehouseTask).where(WarehouseTask.status == TaskStatus.open)
    if user.home_warehouse_id is not None:
        stmt = stmt.where(WarehouseTask.warehouse_id == user.home_warehouse_id)
    stmt = stmt.order_by(
        (WarehouseTask.kind != TaskKind.replenish.value), WarehouseTask.created_at, WarehouseTask.id
    ).limit(1).with_for_update(skip_locked=True).execution_options(populate_existing=True)
    task = (await session.exec(stmt)).first()
    if task is None:
        return None
    task.status = TaskStatus.assigned
    task.assigned_to_id = user.id
    await session.flush()
    return await _offer(session, task)


async def _valid_destination(session: AsyncSession, task: WarehouseTask, loc: Location) -> None:
    if loc.kind not in (LocationKind.storage.value, LocationKind.pick.value):
        raise InvalidInput(N_("{bin} is a {kind} location, not a storage bin."), bin=loc.code,
                           kind=location_kind(loc.kind))
    if loc.fixed_product_id is not None and loc.fixed_product_id != task.product_id:
        other = await session.get(Product, loc.fixed_product_id)
        raise InvalidInput(N_("{bin} is reserved for {sku}."), bin=loc.code, sku=other.sku)
    if loc.id == task.from_location_id:
        raise InvalidInput(N_("{bin} is where the goods are now."), bin=loc.code)
    from .counting import being_counted  # late: counting's helpers import this module's neighbours

    if await being_counted(session, loc.id):
        raise InvalidInput(N_("{bin} is being counted; move stock there after the count is finished."), bin=loc.code)


async def confirm_task(
    session: AsyncSession, task_id: int, user: User, scanned_bin: str, quantity=None,
) -> TaskResult:
    """Books the move of a put-away or refill with the bin the worker scanned.

    A put-away may go to another valid bin than proposed (the result says so);
    a refill must go to its pick face. A smaller quantity leaves the rest on the task.
    """
    task = await locked(session, WarehouseTask, task_id)
    if task.status in (TaskStatus.done, TaskStatus.cancelled):
        raise Conflict(N_("This task is already {status}."), status=Status(TASK, task.status))
    if task.assigned_to_id not in (None, user.id):
        raise Conflict(N_("This task belongs to someone else."))
    product = await session.get(Product, task.product_id)
    remaining = task.quantity - task.done_qty
    qty = remaining if quantity is None else parse_quantity(quantity, unit=product.unit)
    if qty > remaining:
        raise InvalidInput(N_("At most {max} are left on this task."), max=fmt_qty(remaining, product.unit))

    proposed = await session.get(Location, task.to_location_id) if task.to_location_id else None
    dst = await find_location(session, task.warehouse_id, scanned_bin)
    if task.kind == TaskKind.replenish:
        if dst is None or dst.id != proposed.id:
            raise InvalidInput(N_("Wrong bin: expected {expected}, you scanned {scanned}."),
                               expected=proposed.code, scanned=scanned_bin)
    elif dst is None:
        raise InvalidInput(N_("{scanned} is not a bin of this warehouse."), scanned=scanned_bin)
    await _valid_destination(session, task, dst)

    src = await session.get(Location, task.from_location_id)
    await post_move(
        session, product_id=task.product_id, from_location=src, to_location=dst, quantity=qty,
        reason=task.kind, lot=task.lot, expiry=task.expiry, document=task.document, user_id=user.id,
        respect_reserved=True,
    )
    task.done_qty = task.done_qty + qty
    task.assigned_to_id = user.id
    task.done_location_id = dst.id
    left = task.quantity - task.done_qty
    if left == 0:
        task.status = TaskStatus.done
        task.done_at = utcnow()
    else:
        task.status = TaskStatus.assigned
    if proposed is None or dst.id == proposed.id:
        happened = note(N_("Moved {qty} of {sku} to {bin}."), qty=fmt_qty(qty, product.unit),
                        sku=product.sku, bin=dst.code)
    else:
        happened = note(N_("Moved {qty} of {sku} to {bin} instead of the proposed {proposed}."),
                        qty=fmt_qty(qty, product.unit), sku=product.sku, bin=dst.code, proposed=proposed.code)
    await session.flush()
    from ..orders.backorders import serve_backorders  # (orders builds on this package)

    served = await serve_backorders(session, task.warehouse_id, [task.product_id])  # the stock is sellable now
    return TaskResult(task.id, qty, dst.code, left, left == 0, happened, served)


# ---- replenishment ----------------------------------------------------------------------

async def check_pick_face(session: AsyncSession, location: Location, product_id: int) -> WarehouseTask | None:
    """After stock left a pick face: below its min, create one refill up to max from reserve storage."""
    if location.kind != LocationKind.pick.value or location.min_qty is None:
        return None
    if location.fixed_product_id is not None and location.fixed_product_id != product_id:
        return None
    current = (await session.exec(select(func.coalesce(func.sum(StockQuant.quantity), 0)).where(
        StockQuant.location_id == location.id, StockQuant.product_id == product_id
    ))).one()
    current = Decimal(str(current))
    if current >= location.min_qty:
        return None
    pending = (await session.exec(select(WarehouseTask).where(
        WarehouseTask.kind == TaskKind.replenish, WarehouseTask.to_location_id == location.id,
        WarehouseTask.product_id == product_id,
        WarehouseTask.status.in_([TaskStatus.open.value, TaskStatus.assigned.value]),
    ))).first()
    if pending is not None:
        return None
    target = (location.max_qty or location.min_qty) - current
    source = (await session.exec(
        select(StockQuant, Location)
        .join(Location, Location.id == StockQuant.location_id)
        .where(
            StockQuant.product_id == product_id, Location.warehouse_id == location.warehouse_id,
            Location.kind == LocationKind.storage.value, StockQuant.quantity > StockQuant.reserved,
        )
        .order_by(StockQuant.expiry.is_(None), StockQuant.expiry, StockQuant.id)
    )).first()
    if source is None or target <= 0:
        return None
    quant, src = source
    task = WarehouseTask(
        kind=TaskKind.replenish, warehouse_id=location.warehouse_id, product_id=product_id, lot=quant.lot,
        expiry=quant.expiry, from_location_id=src.id, to_location_id=location.id,
        quantity=min(target, quant.quantity - quant.reserved), document=f"REFILL {location.code}",
    )
    session.add(task)
    await session.flush()
    return task


async def refill_pick_faces(session: AsyncSession, warehouse_id: int) -> list[WarehouseTask]:
    """A refill for every pick face below its minimum that has none open, emptiest first (an empty face
    stops picking; a face that was empty before anyone looked never saw a pick leave it to trigger one).
    Faces without a fixed product are refilled with each product they hold."""
    faces = (await session.exec(select(Location).where(
        Location.warehouse_id == warehouse_id, Location.kind == LocationKind.pick.value, Location.min_qty.is_not(None),
    ))).all()
    levels = []
    for face in faces:
        if face.fixed_product_id is not None:
            products = [face.fixed_product_id]
        else:
            products = list((await session.exec(select(StockQuant.product_id).where(
                StockQuant.location_id == face.id).distinct())).all())
        for pid in products:
            current = Decimal(str((await session.exec(select(func.coalesce(func.sum(StockQuant.quantity), 0)).where(
                StockQuant.location_id == face.id, StockQuant.product_id == pid))).one()))
            if current < face.min_qty:
                levels.append((current / face.min_qty if face.min_qty else Decimal(0), face.code, face, pid))
    created = []
    for _, _, face, pid in sorted(levels, key=lambda x: (x[0], x[1])):
        task = await check_pick_face(session, face, pid)
        if task is not None:
            created.append(task)
    return created
