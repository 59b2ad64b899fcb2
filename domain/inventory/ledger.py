"""The stock ledger: the only way stock changes.

post_move() appends an immutable StockMove and updates the StockQuant cache of
both locations in the same transaction. Nothing edits or deletes a move; a
correction is another move. (One exception to "only post_move": a confirmed pick
on PostgreSQL books the same three writes inside one combined statement, see
pick_booking.py; the rules and the guards are the same.)
"""
from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..audit.recorder import note_created
from ..database import Database, database_of
from ..errors import Conflict, InvalidInput, N_
from ..quantities import check_quantity as check_finite
from ..models import Location, LocationKind, StockMove, StockQuant, Warehouse, utcnow
from ..models.base import Qty
from .core_sql import connection, refresh_loaded, round3


def _fmt(q: Decimal) -> str:
    return f"{Decimal(q).normalize():f}"


async def virtual_location(session: AsyncSession, kind: LocationKind) -> Location:
    """The company-wide virtual location of a kind (supplier, customer, adjustment, scrap), created on first use."""
    loc = (await session.exec(select(Location).where(Location.kind == kind, Location.warehouse_id.is_(None))
                              .order_by(Location.id))).first()
    if loc is None:
        loc = Location(code=f"VIRTUAL/{kind.value.upper()}", kind=kind)
        session.add(loc)
        await session.flush()
    return loc


_quants = StockQuant.__table__
_q = _quants.c
_moves = StockMove.__table__
_QTY = Qty()
_KEY = (_q.product_id == sa.bindparam("k_product"), _q.location_id == sa.bindparam("k_location"),
        _q.lot == sa.bindparam("k_lot"))
_RETURNED = (_q.id, _q.quantity, _q.reserved, _q.expiry)


@functools.cache
def _take_stmt(check_on_hand: bool, check_free: bool, release: bool):
    """UPDATE of the source quant that only matches when the move is allowed: checked and written in one
    statement, under the row lock the UPDATE itself takes (a concurrent taker waits, then is re-checked)."""
    qty = sa.bindparam("k_qty", type_=_QTY)
    values = {"quantity": round3(_q.quantity - qty)}
    stmt = sa.update(_quants).where(*_KEY)
    if check_on_hand:
        stmt = stmt.where(_q.quantity >= qty)
    if check_free:
        stmt = stmt.where(round3(_q.quantity - _q.reserved) >= qty)
    if release:
        rel = sa.bindparam("k_release", type_=_QTY)
        values["reserved"] = round3(_q.reserved - rel)
        stmt = stmt.where(_q.reserved >= rel)
    return stmt.values(**values).returning(*_RETURNED)


@functools.cache
def _add_stmt(database: Database, keep_expiry: bool):
    """Adds `qty` (may be negative) to a quant, inserting the row if it is missing. ON CONFLICT lets two
    transactions that both find no row (first stock of a product in a bin) meet on one row, and no locked
    read comes first: the hot packing-dock quant is locked only from this statement to the commit."""
    ins = database.insert(_quants).values(
        product_id=sa.bindparam("k_product"), location_id=sa.bindparam("k_location"), lot=sa.bindparam("k_lot"),
        expiry=sa.bindparam("k_expiry"), quantity=sa.bindparam("k_qty", type_=_QTY), reserved=Decimal(0),
    )
    set_ = {"quantity": round3(_q.quantity + ins.excluded.quantity)}
    if not keep_expiry:
        set_["expiry"] = sa.func.coalesce(_q.expiry, ins.excluded.expiry)
    return ins.on_conflict_do_update(index_elements=[_q.product_id, _q.location_id, _q.lot], set_=set_).returning(*_RETURNED)


_INSERT_MOVE = _moves.insert().returning(_moves.c.id)
_READ_QUANT = sa.select(*_RETURNED).where(*_KEY)


def _refresh(session: AsyncSession, row) -> None:
    refresh_loaded(session, StockQuant, row.id, quantity=row.quantity, reserved=row.reserved, expiry=row.expiry)


async def _refuse_take(conn, key: dict, location_code: str, quantity: Decimal, release: Decimal,
                       allow_negative: bool, respect_reserved: bool):
    """The guarded UPDATE matched nothing: reads the quant to say why (the same checks, in the same order).
    Returns the row read when no check fails (None: there is no row, and going negative is allowed)."""
    src = (await conn.execute(_READ_QUANT, key)).first()
    if release > 0:
        if src is None:
            raise Conflict(N_("No stock record behind a reservation in this bin."))
        if src.reserved < release:
            raise Conflict(N_("A reservation would become negative."))
    available = src.quantity if src else Decimal(0)
    if available < quantity and not allow_negative:
        raise Conflict(
            N_("Only {available} on hand in {location}, cannot take {quantity}."),
            available=_fmt(available), location=location_code, quantity=_fmt(quantity),
        )
    if respect_reserved and src is not None and available - src.reserved < quantity:
        raise Conflict(
            N_("Only {free} of {available} in {location} are free (the rest is reserved), cannot take {quantity}."),
            free=_fmt(available - src.reserved), available=_fmt(available), location=location_code, quantity=_fmt(quantity),
        )
    return src


async def explain_refused_take(conn, *, product_id: int, location_id: int, lot: str, location_code: str,
                               quantity: Decimal, release: Decimal = Decimal(0)) -> None:
    """Raises the Conflict that says why a guarded take of `quantity` (consuming `release` of the reserved
    stock) from a bin matched no row; for callers that book a move with their own combined statement."""
    key = dict(k_product=product_id, k_location=location_id, k_lot=lot)
    src = await _refuse_take(conn, key, location_code, quantity, release, False, False)
    raise Conflict(N_("Only {available} on hand in {location}, cannot take {quantity}."),  # changed meanwhile
                   available=_fmt(src.quantity if src else Decimal(0)), location=location_code, quantity=_fmt(quantity))


async def post_move(
    session: AsyncSession,
    *,
    product_id: int,
    from_location: Location,
    to_location: Location,
    quantity: Decimal | int,
    reason: str,
    lot: str = "",
    expiry: date | None = None,
    document: str | None = None,
    user_id: int | None = None,
    allow_negative: bool | None = None,
    respect_reserved: bool = False,
    release_reserved: Decimal = Decimal(0),
) -> StockMove:
    """Books one move. With respect_reserved=True the move may only take stock
    that is not reserved for an order (bin-to-bin moves, transfers, refills).
    release_reserved: that much of the source quant's reservation is consumed by
    the move, in the same statement (a pick takes the stock reserved for it).

    The locations may be Location rows or anything with id, code, kind and warehouse_id.
    Three statements: the source quant's guarded UPDATE (check and write at once),
    the move's INSERT, the destination quant's upsert.
    """
    quantity = Decimal(quantity)
    check_finite(quantity)  # finite and in range, whoever the caller
    if quantity <= 0:
        raise InvalidInput(N_("Quantity must be more than zero (got {quantity})."), quantity=quantity)
    if from_location.id == to_location.id:
        raise InvalidInput(N_("Source and destination are the same location {code}."), code=from_location.code)

    conn = await connection(session)
    database = database_of(conn)
    touched = []
    if not LocationKind(from_location.kind).virtual:
        if allow_negative is None:
            wh = await session.get(Warehouse, from_location.warehouse_id) if from_location.warehouse_id else None
            allow_negative = bool(wh and wh.allow_negative)
        key = dict(k_product=product_id, k_location=from_location.id, k_lot=lot)
        stmt = _take_stmt(not allow_negative, respect_reserved, release_reserved > 0)
        for _ in range(3):
            row = (await conn.execute(stmt, dict(key, k_qty=quantity, k_release=release_reserved))).first()
            if row is not None:
                break
            src = await _refuse_take(conn, key, from_location.code, quantity, release_reserved, allow_negative, respect_reserved)
            if src is None:  # allowed to go negative and there is no row yet: it starts below zero
                row = (await conn.execute(_add_stmt(database, True), dict(key, k_expiry=expiry, k_qty=-quantity))).one()
                break
            # Otherwise the row changed between the two statements (SQLite never gets here): check again.
        else:
            raise Conflict(N_("Only {available} on hand in {location}, cannot take {quantity}."),
                           available=_fmt(src.quantity), location=from_location.code, quantity=_fmt(quantity))
        touched.append(row)

    created_at = utcnow()
    move_id = (await conn.execute(_INSERT_MOVE, dict(
        product_id=product_id, from_location_id=from_location.id, to_location_id=to_location.id, quantity=quantity,
        lot=lot, expiry=expiry, reason=reason, document=document, user_id=user_id, created_at=created_at,
    ))).scalar_one()

    if not LocationKind(to_location.kind).virtual:
        key = dict(k_product=product_id, k_location=to_location.id, k_lot=lot, k_expiry=expiry, k_qty=quantity)
        touched.append((await conn.execute(_add_stmt(database, False), key)).one())

    for row in touched:
        _refresh(session, row)
    move = StockMove(
        id=move_id, product_id=product_id, from_location_id=from_location.id, to_location_id=to_location.id,
        quantity=quantity, lot=lot, expiry=expiry, reason=reason, document=document, user_id=user_id,
        created_at=created_at,
    )
    # The row as if loaded by a query: persistent in the session, no second INSERT at the next flush.
    make_transient_to_detached(move)
    session.add(move)
    await note_created(session, move)  # inserted by Core: the audit's flush hook cannot see it
    return move
