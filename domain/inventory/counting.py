"""Blind counts of a bin.

The counter only ever says what they see; nothing returned before
finish_count() reveals what the system expects. At finish the expected
quantities are snapshotted; small differences are booked at once as count
moves, a difference above the policy's threshold waits for a manager.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import (
    CountLine, CountStatus, CountTask, Location, LocationKind, Product, StockQuant, User, Warehouse, utcnow,
)
from ..permissions import require
from .common import Note, fmt_qty, locked, note, parse_count, resolve_location, resolve_product
from .ledger import post_move, virtual_location
from .reservations import quant_for_update, trim_reservations


@dataclass(frozen=True)
class VariancePolicy:
    """A difference needs approval when it is above `percent` of the expected quantity or above `absolute` units.

    Either may be None (not checked). A difference on a bin expected empty is always above a percentage.
    """

    percent: Decimal | None = Decimal(5)
    absolute: Decimal | None = None

    def needs_approval(self, expected: Decimal, counted: Decimal) -> bool:
        diff = abs(counted - expected)
        if diff == 0:
            return False
        if self.absolute is not None and diff > self.absolute:
            return True
        if self.percent is not None:
            return expected == 0 or diff * 100 / abs(expected) > self.percent
        return False


@dataclass(frozen=True)
class CountedLine:
    sku: str
    lot: str
    counted: Decimal


@dataclass(frozen=True)
class CountStep:
    """Progress of a blind count: what was entered so far (never what is expected)."""

    count_task_id: int
    bin_code: str
    counted: list[CountedLine]
    happened: Note | None = None
    expect: str = "product_or_finish"  # scan/type a product and its quantity, or finish


@dataclass(frozen=True)
class VarianceLine:
    sku: str
    lot: str
    expected: Decimal
    counted: Decimal

    @property
    def variance(self) -> Decimal:
        return self.counted - self.expected


@dataclass(frozen=True)
class CountOutcome:
    count_task_id: int
    bin_code: str
    status: str  # done, awaiting_approval, rejected
    lines: list[VarianceLine] = field(default_factory=list)
    happened: Note | None = None


async def _counted(session: AsyncSession, task: CountTask) -> list[CountedLine]:
    rows = (await session.exec(
        select(CountLine, Product).join(Product, Product.id == CountLine.product_id)
        .where(CountLine.count_task_id == task.id).order_by(CountLine.id)
    )).all()
    return [CountedLine(p.sku, cl.lot, cl.counted_qty) for cl, p in rows]


async def start_count(session: AsyncSession, user: User, *, warehouse: Warehouse, bin_code: str) -> CountStep:
    """Opens a blind count of a bin, or resumes the one in progress there."""
    loc = await resolve_location(session, warehouse.id, bin_code)
    if LocationKind(loc.kind).virtual:
        raise InvalidInput(N_("{bin} cannot be counted."), bin=loc.code)
    task = (await session.exec(select(CountTask).where(
        CountTask.location_id == loc.id, CountTask.status == CountStatus.counting
    ).with_for_update().execution_options(populate_existing=True))).first()
    if task is None:
        task = CountTask(location_id=loc.id, counted_by_id=user.id)
        session.add(task)
        await session.flush()
        happened = note(N_("Counting {bin}: scan each product and enter how many you see."), bin=loc.code)
    else:
        happened = note(N_("Resuming the count of {bin}."), bin=loc.code)
    return CountStep(task.id, loc.code, await _counted(session, task), happened)


async def _open_task(session: AsyncSession, count_task_id: int) -> tuple[CountTask, Location]:
    task = await locked(session, CountTask, count_task_id)
    if task.status != CountStatus.counting:
        raise Conflict(N_("This count is {status}."), status=task.status)
    return task, await session.get(Location, task.location_id)


async def record_count(
    session: AsyncSession, count_task_id: int, user: User, product_code: str, quantity, lot: str = "",
) -> CountStep:
    """What the counter sees of one product (and lot) in the bin; a second entry replaces the first."""
    task, loc = await _open_task(session, count_task_id)
    resolved = await resolve_product(session, product_code)
    product = resolved.product
    qty = parse_count(quantity, unit=product.unit) * resolved.pack_qty
    lot = (lot or "").strip()
    if product.lot_tracked and not lot and qty > 0:
        raise InvalidInput(N_("{sku} is lot-tracked: give the lot number."), sku=product.sku)
    line = (await session.exec(select(CountLine).where(
        CountLine.count_task_id == task.id, CountLine.product_id == product.id, CountLine.lot == lot
    ))).first()
    if line is None:
        session.add(CountLine(count_task_id=task.id, product_id=product.id, lot=lot, counted_qty=qty))
        happened = note(N_("{sku}: {qty} {unit} noted."), sku=product.sku, qty=fmt_qty(qty), unit=product.unit)
    else:
        happened = note(N_("{sku}: {qty} {unit} noted (replaces {old})."), sku=product.sku, qty=fmt_qty(qty),
                        unit=product.unit, old=fmt_qty(line.counted_qty))
        line.counted_qty = qty
    task.counted_by_id = user.id
    await session.flush()
    return CountStep(task.id, loc.code, await _counted(session, task), happened)


async def _bin_stock(session: AsyncSession, location_id: int) -> dict[tuple[int, str], StockQuant]:
    quants = (await session.exec(select(StockQuant).where(StockQuant.location_id == location_id)
                                 .execution_options(populate_existing=True))).all()
    return {(q.product_id, q.lot): q for q in quants}


async def _variances(session: AsyncSession, task: CountTask) -> list[tuple[CountLine, Product]]:
    """Count lines including a zero line for everything the bin holds that was not counted."""
    stock = await _bin_stock(session, task.location_id)
    lines = {(cl.product_id, cl.lot): cl for cl in (await session.exec(
        select(CountLine).where(CountLine.count_task_id == task.id))).all()}
    for key, q in stock.items():
        if key not in lines and q.quantity != 0:
            cl = CountLine(count_task_id=task.id, product_id=key[0], lot=key[1], counted_qty=Decimal(0))
            session.add(cl)
            lines[key] = cl
    for key, cl in lines.items():
        cl.expected_qty = stock[key].quantity if key in stock else Decimal(0)
        cl.expiry = stock[key].expiry if key in stock else None
    await session.flush()
    out = []
    for cl in sorted(lines.values(), key=lambda c: c.id):
        out.append((cl, await session.get(Product, cl.product_id)))
    return out


async def _book(session: AsyncSession, task: CountTask, loc: Location, user: User) -> None:
    adjustment = await virtual_location(session, LocationKind.adjustment)
    for cl in (await session.exec(select(CountLine).where(CountLine.count_task_id == task.id)
                                  .order_by(CountLine.product_id, CountLine.lot))).all():
        diff = cl.counted_qty - cl.expected_qty
        if diff == 0:
            continue
        gain = diff > 0
        await post_move(
            session, product_id=cl.product_id, from_location=adjustment if gain else loc,
            to_location=loc if gain else adjustment, quantity=abs(diff), reason="count", lot=cl.lot,
            expiry=cl.expiry, document=f"COUNT-{task.id}", user_id=user.id, allow_negative=False,
        )
        if not gain:
            quant = await quant_for_update(session, cl.product_id, loc.id, cl.lot)
            await trim_reservations(session, quant)


def _outcome_lines(rows: list[tuple[CountLine, Product]]) -> list[VarianceLine]:
    return [VarianceLine(p.sku, cl.lot, cl.expected_qty, cl.counted_qty) for cl, p in rows]


async def finish_count(
    session: AsyncSession, count_task_id: int, user: User, policy: VariancePolicy = VariancePolicy(),
) -> CountOutcome:
    """Compares the count with the stock now; books small differences, sends big ones for approval."""
    task, loc = await _open_task(session, count_task_id)
    # Lock the bin's quants so no pick changes them between the snapshot and the booking.
    await session.exec(select(StockQuant).where(StockQuant.location_id == loc.id).with_for_update().execution_options(populate_existing=True))
    rows = await _variances(session, task)
    task.finished_at = utcnow()
    big = [p.sku for cl, p in rows if policy.needs_approval(cl.expected_qty, cl.counted_qty)]
    if big:
        task.status = CountStatus.awaiting_approval
        happened = note(N_("Count of {bin} differs from the records ({skus}); a manager must approve it."),
                        bin=loc.code, skus=", ".join(big))
    else:
        await _book(session, task, loc, user)
        task.status = CountStatus.done
        changed = sum(1 for cl, _ in rows if cl.counted_qty != cl.expected_qty)
        happened = (note(N_("Count of {bin} booked: {n} differences adjusted."), bin=loc.code, n=changed)
                    if changed else note(N_("Count of {bin} matches the records."), bin=loc.code))
    await session.flush()
    return CountOutcome(task.id, loc.code, task.status, _outcome_lines(rows), happened)


async def counts_awaiting_approval(session: AsyncSession, warehouse_id: int) -> list[CountOutcome]:
    rows = (await session.exec(
        select(CountTask, Location).join(Location, Location.id == CountTask.location_id)
        .where(Location.warehouse_id == warehouse_id, CountTask.status == CountStatus.awaiting_approval)
        .order_by(CountTask.id)
    )).all()
    out = []
    for task, loc in rows:
        lines = (await session.exec(select(CountLine, Product).join(Product, Product.id == CountLine.product_id)
                                    .where(CountLine.count_task_id == task.id).order_by(CountLine.id))).all()
        out.append(CountOutcome(task.id, loc.code, task.status, _outcome_lines(list(lines))))
    return out


async def decide_count(session: AsyncSession, count_task_id: int, user: User, *, approve: bool) -> CountOutcome:
    """A manager or admin approves (the adjustment is booked) or rejects (the bin must be counted again)."""
    require(user, "approve_counts")
    task = await locked(session, CountTask, count_task_id)
    if task.status != CountStatus.awaiting_approval:
        raise Conflict(N_("This count is {status}, not waiting for approval."), status=task.status)
    loc = await session.get(Location, task.location_id)
    await session.exec(select(StockQuant).where(StockQuant.location_id == loc.id).with_for_update().execution_options(populate_existing=True))
    stock = await _bin_stock(session, loc.id)
    rows = (await session.exec(select(CountLine, Product).join(Product, Product.id == CountLine.product_id)
                               .where(CountLine.count_task_id == task.id).order_by(CountLine.id))).all()
    task.approved_by_id, task.decided_at = user.id, utcnow()
    moved = any(
        (stock[(cl.product_id, cl.lot)].quantity if (cl.product_id, cl.lot) in stock else Decimal(0)) != cl.expected_qty
        for cl, _ in rows
    )
    if approve and moved:
        task.status = CountStatus.rejected
        happened = note(N_("Stock in {bin} changed since it was counted; count it again."), bin=loc.code)
    elif approve:
        await _book(session, task, loc, user)
        task.status = CountStatus.done
        happened = note(N_("Count of {bin} approved and booked."), bin=loc.code)
    else:
        task.status = CountStatus.rejected
        happened = note(N_("Count of {bin} rejected; count it again."), bin=loc.code)
    await session.flush()
    return CountOutcome(task.id, loc.code, task.status, _outcome_lines(list(rows)), happened)
