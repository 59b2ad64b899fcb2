"""Deals and their way through the funnel: new -> qualified -> proposal -> negotiation -> won / lost."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, N_, PermissionDenied
from ..rows import get_row
from ..models import Deal, DealStage, DealStageChange, User
from ..permissions import can, require
from .customers import get_customer

STAGES = [s.value for s in DealStage]
OPEN_STAGES = ["new", "qualified", "proposal", "negotiation"]
CLOSED = ("won", "lost")
DEFAULT_PROBABILITY = {"new": 10, "qualified": 30, "proposal": 50, "negotiation": 70, "won": 100, "lost": 0}
LOST_REASONS = ("price too high", "chose a competitor", "no budget", "delivery time", "no answer")


def parse_amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(N_("{amount} is not an amount."), amount=value) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(N_("The amount can't be negative."))
    if amount > Decimal("1e12"):
        raise InvalidInput(N_("That amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse_currency(value: str | None, default: str) -> str:
    code = (value or default).strip().upper()
    if code not in list_currencies():
        raise InvalidInput(N_("{currency} is not a currency code (like EUR, USD, BGN)."), currency=value)
    return code


def check_stage(stage: str) -> str:
    stage = (stage or "").strip().lower()
    if stage not in STAGES:
        raise InvalidInput(N_("Unknown stage {stage}: use new, qualified, proposal, negotiation, won or lost."), stage=stage)
    return stage


def may_edit(actor: User, deal: Deal) -> bool:
    return can(actor, "edit_any_deal") or (can(actor, "manage_deals") and deal.owner_id == actor.id)


async def get_deal(session: AsyncSession, actor: User, deal_id: int, *, for_edit: bool = False) -> Deal:
    require(actor, "manage_deals")
    deal = await get_row(session, Deal, deal_id, N_("No such deal."))
    if for_edit and not may_edit(actor, deal):
        raise PermissionDenied(N_("This deal belongs to someone else; only its owner or a manager can change it."))
    return deal


async def create_deal(session: AsyncSession, actor: User, *, customer_id: int, title: str | None, amount, currency: str | None,
                      default_currency: str, today: date, expected_close: date | None = None, probability: int | None = None,
                      now: datetime) -> Deal:
    require(actor, "manage_deals")
    customer = await get_customer(session, customer_id)
    amount = parse_amount(amount)
    currency = parse_currency(currency, default_currency)
    if expected_close is not None and expected_close < today:
        raise InvalidInput(N_("The expected close date {date} is in the past."), date=expected_close.isoformat())
    if probability is not None and not 0 <= int(probability) <= 100:
        raise InvalidInput(N_("Probability is a percentage from 0 to 100."))
    title = " ".join((title or "").split()) or f"Deal with {customer.name}"
    deal = Deal(customer_id=customer.id, owner_id=actor.id, title=title[:200], amount=amount, currency=currency, stage="new",
                probability=DEFAULT_PROBABILITY["new"] if probability is None else int(probability),
                expected_close=expected_close, created_at=now, updated_at=now)
    session.add(deal)
    await session.flush()
    session.add(DealStageChange(deal_id=deal.id, from_stage=None, to_stage="new", user_id=actor.id, changed_at=now))
    await session.flush()
    return deal


async def move_deal(session: AsyncSession, actor: User, deal_id: int, stage: str, *, now: datetime,
                    lost_reason: str | None = None) -> DealStageChange:
    deal = await get_deal(session, actor, deal_id, for_edit=True)
    stage = check_stage(stage)
    if deal.stage in CLOSED:
        raise Conflict(N_("This deal is already closed ({stage})."), stage=deal.stage)
    if stage == deal.stage:
        raise Conflict(N_("The deal is already at {stage}."), stage=stage)
    lost_reason = " ".join((lost_reason or "").split()) or None
    if stage == "lost" and not lost_reason:
        raise InvalidInput(N_("Why was it lost? A reason is needed."))
    change = DealStageChange(deal_id=deal.id, from_stage=deal.stage, to_stage=stage, user_id=actor.id, changed_at=now)
    session.add(change)
    deal.stage, deal.updated_at = stage, now
    deal.probability = DEFAULT_PROBABILITY[stage]
    if stage in CLOSED:
        deal.closed_at = now
        deal.lost_reason = lost_reason if stage == "lost" else None
    await session.flush()
    return change


async def undo_stage_change(session: AsyncSession, actor: User, change_id: int) -> Deal:
    """Puts the deal back where it was before this (its latest) move."""
    change = await get_row(session, DealStageChange, change_id, N_("That stage change is already undone."))
    deal = await get_deal(session, actor, change.deal_id, for_edit=True)
    latest = (await session.exec(select(DealStageChange).where(DealStageChange.deal_id == deal.id)
                                 .order_by(DealStageChange.changed_at.desc(), DealStageChange.id.desc()))).first()
    if latest is None or latest.id != change.id:
        raise Conflict(N_("The deal has moved again since; change its stage instead."))
    if change.from_stage is None:
        raise Conflict(N_("A new deal's first stage can't be undone."))
    deal.stage = change.from_stage
    deal.probability = DEFAULT_PROBABILITY[deal.stage]
    deal.closed_at = deal.lost_reason = None
    await session.delete(change)
    await session.flush()
    return deal


async def delete_new_deal(session: AsyncSession, actor: User, deal_id: int) -> Deal:
    """Undo of a just-created deal (only while it has not moved)."""
    deal = await get_deal(session, actor, deal_id, for_edit=True)
    changes = (await session.exec(select(DealStageChange).where(DealStageChange.deal_id == deal.id))).all()
    if len(changes) > 1:
        raise Conflict(N_("The deal has moved since; it can't simply be undone."))
    for c in changes:
        await session.delete(c)
    await session.flush()
    await session.delete(deal)
    await session.flush()
    return deal


async def open_deals_seen_by(session: AsyncSession, reader: User) -> list[Deal]:
    """The open deals a person works on: everyone's for those who may edit any deal, else their own."""
    return await open_deals(session, owner_id=None if can(reader, "edit_any_deal") else reader.id)


async def open_deals(session: AsyncSession, *, customer_id: int | None = None, owner_id: int | None = None) -> list[Deal]:
    stmt = select(Deal).where(Deal.stage.in_(OPEN_STAGES))
    if customer_id is not None:
        stmt = stmt.where(Deal.customer_id == customer_id)
    if owner_id is not None:
        stmt = stmt.where(Deal.owner_id == owner_id)
    return list((await session.exec(stmt.order_by(Deal.expected_close, Deal.id))).all())
