"""Blind counts of a bin, lot by lot.

The counter only ever says what they see; nothing returned to them reveals
what the system expects, and while their count is open no stock answer shows
them that bin (hidden_bins_for). At finish the expected quantities are
snapshotted per product and lot; lots the records hold that the counter did
not report are counted as zero and marked "not seen". Small differences are
booked at once as count moves of that very lot (its expiry kept), a difference
above the policy's threshold waits for a manager, who sees each lot's record
quantity at approval time against what was counted.

A product kept by lot (lot-tracked, or with lot stock anywhere) is only
counted with its lot: scanned from a GS1 code, typed, or explicitly "no lot".
Counting it without one would book the whole quantity to the lot-less record
and zero the lots, losing them and their expiry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_
from ..models import (
    CountLine, CountStatus, CountTask, Location, LocationKind, Product, StockQuant, User, Warehouse, utcnow,
)
from ..permissions import require
from .common import SELLABLE_KINDS, Note, fmt_qty, locked, note, parse_count, resolve_location, resolve_product
from .ledger import post_move, virtual_location
from .reservations import quant_for_update, trim_reservations
from ..status_labels import COUNT, Status


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
    """A product (and lot) counted on the bin so far, as the counter entered it: the blind
    count shows these back, never the quantity the books expect."""

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


class LotNeeded(InvalidInput):
    """The product is kept by lot: the count needs the lot (or an explicit "no lot")."""


class ExpiryNeeded(InvalidInput):
    """A lot of an expiry-tracked product that is nowhere in stock: the count needs its expiry."""


@dataclass(frozen=True)
class VarianceLine:
    sku: str
    lot: str
    expected: Decimal
    counted: Decimal
    expiry: date | None = None
    seen: bool = True  # False: the records hold this lot and the counter did not report it
    current: Decimal | None = None  # the record's quantity now (approval time)

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
    served: list[str] = field(default_factory=list)  # waiting orders that got stock reserved when it was booked


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
        raise Conflict(N_("This count is {status}."), status=Status(COUNT, task.status))
    return task, await session.get(Location, task.location_id)


async def kept_by_lot(session: AsyncSession, product: Product) -> bool:
    """Lot-tracked, or some of it is in stock with a lot anywhere (not only in the counted bin: asking
    for the lot must not tell the counter what this bin holds)."""
    if product.lot_tracked:
        return True
    return (await session.exec(select(StockQuant.id).where(
        StockQuant.product_id == product.id, StockQuant.lot != "", StockQuant.quantity != 0).limit(1))).first() is not None


async def known_expiry(session: AsyncSession, product_id: int, lot: str) -> date | None:
    """The expiry a lot of a product carries anywhere in stock (a lot has one)."""
    if not lot:
        return None
    return (await session.exec(select(StockQuant.expiry).where(
        StockQuant.product_id == product_id, StockQuant.lot == lot, StockQuant.expiry.is_not(None)))).first()


async def record_count(
    session: AsyncSession, count_task_id: int, user: User, product_code: str, quantity, lot: str = "",
    *, no_lot: bool = False, expiry: date | None = None,
) -> CountStep:
    """What the counter sees of one product (and lot) in the bin; a second entry replaces the first.

    no_lot=True says the goods carry no lot (the lot-less record of a product otherwise kept by lot).
    expiry: from the label (a GS1 scan carries it); needed for a lot of an expiry-tracked product that
    is nowhere in stock, checked against the lot's expiry when it is."""
    task, loc = await _open_task(session, count_task_id)
    resolved = await resolve_product(session, product_code)
    product = resolved.product
    qty = parse_count(quantity, unit=product.unit) * resolved.pack_qty
    lot = (lot or "").strip()
    if product.lot_tracked and not lot and qty > 0:
        raise LotNeeded(N_("{sku} is lot-tracked: give the lot number."), sku=product.sku)
    if not lot and not no_lot and await kept_by_lot(session, product):
        raise LotNeeded(N_("{sku} is kept by lot: scan the code with the lot, type the lot, or say it has no lot."),
                        sku=product.sku)
    known = await known_expiry(session, product.id, lot)
    if known is not None and expiry is not None and known != expiry:
        raise InvalidInput(N_("Lot {lot} of {sku} is already in stock with expiry {known}, not {expiry}: check the label."),
                           lot=lot, sku=product.sku, known=known.isoformat(), expiry=expiry.isoformat())
    if lot and known is None and expiry is None and product.expiry_tracked and qty > 0:
        raise ExpiryNeeded(N_("Lot {lot} of {sku} is new here: give its expiry date."), lot=lot, sku=product.sku)
    line = (await session.exec(select(CountLine).where(
        CountLine.count_task_id == task.id, CountLine.product_id == product.id, CountLine.lot == lot
    ))).first()
    if line is None:
        session.add(CountLine(count_task_id=task.id, product_id=product.id, lot=lot, counted_qty=qty,
                              expiry=known or (expiry if lot else None)))
        happened = note(N_("{sku}: {qty} noted."), sku=product.sku, qty=fmt_qty(qty, product.unit))
    else:
        happened = note(N_("{sku}: {qty} noted (replaces {old})."), sku=product.sku, qty=fmt_qty(qty, product.unit),
                        old=fmt_qty(line.counted_qty))
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
            cl = CountLine(count_task_id=task.id, product_id=key[0], lot=key[1], counted_qty=Decimal(0), seen=False)
            session.add(cl)
            lines[key] = cl
    for key, cl in lines.items():
        cl.expected_qty = stock[key].quantity if key in stock else Decimal(0)
        # The bin's record of the lot keeps its expiry; a lot found that the bin had no record of takes
        # the expiry the lot has elsewhere (set when it was recorded).
        if key in stock and stock[key].expiry is not None:
            cl.expiry = stock[key].expiry
    await session.flush()
    out = []
    for cl in sorted(lines.values(), key=lambda c: c.id):
        out.append((cl, await session.get(Product, cl.product_id)))
    return out


@dataclass(frozen=True)
class FinishLine:
    """One product (and lot) a finish would settle: the record now and what the count makes it."""

    sku: str
    name: str
    unit: str
    lot: str
    before: Decimal
    after: Decimal
    counted: bool  # False: the records hold it here and nobody counted it (a finish records 0)


@dataclass(frozen=True)
class FinishPreview:
    count_task_id: int
    bin_code: str
    lines: list[FinishLine]

    @property
    def changes(self) -> list[FinishLine]:
        return [ln for ln in self.lines if ln.before != ln.after]

    @property
    def not_counted(self) -> list[FinishLine]:
        return [ln for ln in self.lines if not ln.counted]


async def finish_preview(session: AsyncSession, count_task_id: int) -> FinishPreview:
    """What finishing the count would do, computed without changing anything: every product and lot
    counted or held by the bin's records, the record now against the count (not counted = 0). The
    bot shows a blind counter only what they counted and what nobody counted, never the records."""
    task, loc = await _open_task(session, count_task_id)
    stock = await _bin_stock(session, loc.id)
    counted = {(cl.product_id, cl.lot): cl.counted_qty for cl in (await session.exec(
        select(CountLine).where(CountLine.count_task_id == task.id))).all()}
    keys = set(counted) | {k for k, q in stock.items() if q.quantity != 0}
    lines = []
    for pid, lot in keys:
        product = await session.get(Product, pid)
        before = stock[(pid, lot)].quantity if (pid, lot) in stock else Decimal(0)
        lines.append(FinishLine(product.sku, product.name, product.unit, lot, before, counted.get((pid, lot), Decimal(0)),
                                (pid, lot) in counted))
    lines.sort(key=lambda ln: (not ln.counted, ln.sku, ln.lot))
    return FinishPreview(task.id, loc.code, lines)


async def _book(session: AsyncSession, task: CountTask, loc: Location, user: User) -> list[str]:
    """Books the differences; returns the waiting orders that got stock reserved (a gain is sellable stock,
    and an order a loss took a reservation from may get it from another bin)."""
    adjustment = await virtual_location(session, LocationKind.adjustment)
    changed: set[int] = set()
    for cl in (await session.exec(select(CountLine).where(CountLine.count_task_id == task.id)
                                  .order_by(CountLine.product_id, CountLine.lot))).all():
        diff = cl.counted_qty - cl.expected_qty
        if diff == 0:
            continue
        changed.add(cl.product_id)
        gain = diff > 0
        await post_move(
            session, product_id=cl.product_id, from_location=adjustment if gain else loc,
            to_location=loc if gain else adjustment, quantity=abs(diff), reason="count", lot=cl.lot,
            expiry=cl.expiry, document=f"COUNT-{task.id}", user_id=user.id, allow_negative=False,
        )
        if not gain:
            quant = await quant_for_update(session, cl.product_id, loc.id, cl.lot)
            await trim_reservations(session, quant)
    if loc.kind not in SELLABLE_KINDS:  # dock or quarantine stock is not for sale: nothing to serve
        return []
    from ..orders.backorders import serve_backorders  # (orders builds on this package)

    await session.flush()
    return await serve_backorders(session, loc.warehouse_id, changed)


def _outcome_lines(rows: list[tuple[CountLine, Product]],
                   stock: dict[tuple[int, str], StockQuant] | None = None) -> list[VarianceLine]:
    def current(cl: CountLine) -> Decimal | None:
        if stock is None:
            return None
        q = stock.get((cl.product_id, cl.lot))
        return q.quantity if q is not None else Decimal(0)

    return [VarianceLine(p.sku, cl.lot, cl.expected_qty, cl.counted_qty, cl.expiry, cl.seen, current(cl))
            for cl, p in rows]


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
    served: list[str] = []
    # The counter is told only where the count went, never which products or lots differ (still blind:
    # they may be asked to count the bin again).
    if big:
        task.status = CountStatus.awaiting_approval
        happened = note(N_("Count of {bin} finished; a manager checks it before it is booked."), bin=loc.code)
    else:
        served = await _book(session, task, loc, user)
        task.status = CountStatus.done
        happened = note(N_("Count of {bin} finished and booked."), bin=loc.code)
    await session.flush()
    return CountOutcome(task.id, loc.code, task.status, _outcome_lines(rows), happened, served)


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
        out.append(CountOutcome(task.id, loc.code, task.status, _outcome_lines(list(lines), await _bin_stock(session, loc.id))))
    return out


async def hidden_bins_for(session: AsyncSession, user: User) -> set[int]:
    """Bins whose stock this person must not be shown: the ones they are counting right now."""
    return set((await session.exec(select(CountTask.location_id).where(
        CountTask.counted_by_id == user.id, CountTask.status == CountStatus.counting))).all())


async def being_counted(session: AsyncSession, location_id: int) -> bool:
    return (await session.exec(select(CountTask.id).where(
        CountTask.location_id == location_id, CountTask.status == CountStatus.counting))).first() is not None


async def decide_count(session: AsyncSession, count_task_id: int, user: User, *, approve: bool) -> CountOutcome:
    """A manager or admin approves (the adjustment is booked) or rejects (the bin must be counted again)."""
    require(user, "approve_counts")
    task = await locked(session, CountTask, count_task_id)
    if task.status != CountStatus.awaiting_approval:
        raise Conflict(N_("This count is {status}, not waiting for approval."), status=Status(COUNT, task.status))
    loc = await session.get(Location, task.location_id)
    await session.exec(select(StockQuant).where(StockQuant.location_id == loc.id).with_for_update().execution_options(populate_existing=True))
    stock = await _bin_stock(session, loc.id)
    rows = (await session.exec(select(CountLine, Product).join(Product, Product.id == CountLine.product_id)
                               .where(CountLine.count_task_id == task.id).order_by(CountLine.id))).all()
    task.approved_by_id, task.decided_at = user.id, utcnow()
    lines = _outcome_lines(list(rows), stock)  # the records as they are now, before anything is booked
    served: list[str] = []
    moved = any(
        (stock[(cl.product_id, cl.lot)].quantity if (cl.product_id, cl.lot) in stock else Decimal(0)) != cl.expected_qty
        for cl, _ in rows
    )
    if approve and moved:
        task.status = CountStatus.rejected
        happened = note(N_("Stock in {bin} changed since it was counted; count it again."), bin=loc.code)
    elif approve:
        served = await _book(session, task, loc, user)
        task.status = CountStatus.done
        happened = note(N_("Count of {bin} approved and booked."), bin=loc.code)
    else:
        task.status = CountStatus.rejected
        happened = note(N_("Count of {bin} rejected; count it again."), bin=loc.code)
    await session.flush()
    return CountOutcome(task.id, loc.code, task.status, lines, happened, served)
