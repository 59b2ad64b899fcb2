"""Client groups: who gets a mailing or a report. By rule (ABC/XYZ class, city, tag) or by hand."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict, InvalidInput, NotFound, N_
from ..models import ClientGroup, ClientGroupMember, Customer, User
from ..permissions import require
from .customers import get_customer
from .reports import Thresholds, abc_xyz

RULE_KEYS = ("abc", "xyz", "city", "tag")


def parse_rule(text: str) -> dict[str, list[str]]:
    """ "abc=A,B city=Sofia tag=key" -> {"abc": ["A", "B"], "city": ["Sofia"], "tag": ["key"]}"""
    rule: dict[str, list[str]] = {}
    for part in (text or "").split():
        key, sep, values = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in RULE_KEYS or not values.strip():
            raise InvalidInput(N_("Rules look like abc=A xyz=X,Y city=Sofia tag=key; {part} isn't one."), part=part)
        items = [v.strip() for v in values.split(",") if v.strip()]
        if key in ("abc", "xyz"):
            items = [v.upper() for v in items]
            allowed = "ABC" if key == "abc" else "XYZ"
            if any(v not in allowed for v in items):
                raise InvalidInput(N_("{key} classes are {allowed}."), key=key, allowed=", ".join(allowed))
        rule.setdefault(key, []).extend(items)
    if not rule:
        raise InvalidInput(N_("A rule group needs at least one condition, e.g. abc=A."))
    return rule


async def create_group(session: AsyncSession, actor: User, name: str, *, rule: dict[str, list[str]] | None = None) -> ClientGroup:
    require(actor, "mailings")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(N_("A group needs a name."))
    if (await session.exec(select(ClientGroup).where(ClientGroup.name == name))).first():
        raise Conflict(N_("There is already a group called {name}."), name=name)
    group = ClientGroup(name=name, kind="rule" if rule else "manual", rule=rule, created_by_id=actor.id)
    session.add(group)
    await session.flush()
    return group


EVERYONE = "All customers"


async def everyone(session: AsyncSession, actor: User) -> ClientGroup:
    """The group of all customers (a rule without conditions), made the first time it is asked for;
    a mailing to it still reaches only those with SMS consent (domain/mailings/audience.py)."""
    require(actor, "mailings")
    group = (await session.exec(select(ClientGroup).where(ClientGroup.name == EVERYONE))).first()
    if group is None:
        group = ClientGroup(name=EVERYONE, kind="rule", rule={"all": ["yes"]}, created_by_id=actor.id)
        session.add(group)
        await session.flush()
    return group


async def group_by_name(session: AsyncSession, name: str) -> ClientGroup:
    group = (await session.exec(select(ClientGroup).where(ClientGroup.name == " ".join(name.split())))).first()
    if group is None:
        raise NotFound(N_("No group called {name}."), name=name)
    return group


async def add_member(session: AsyncSession, actor: User, group: ClientGroup, customer_id: int) -> None:
    require(actor, "mailings")
    if group.kind != "manual":
        raise Conflict(N_("{name} is filled by its rule; customers can't be added by hand."), name=group.name)
    customer = await get_customer(session, customer_id)
    exists = (await session.exec(select(ClientGroupMember).where(ClientGroupMember.group_id == group.id,
                                                                ClientGroupMember.customer_id == customer.id))).first()
    if exists:
        raise Conflict(N_("{customer} is already in {name}."), customer=customer.name, name=group.name)
    session.add(ClientGroupMember(group_id=group.id, customer_id=customer.id))
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(N_("{customer} is already in {name}."), customer=customer.name, name=group.name) from None


async def members(session: AsyncSession, group: ClientGroup, *, today: date | None = None,
                  thresholds: Thresholds | None = None) -> list[Customer]:
    """The customers in a group now (merged-away customers never; a rule is evaluated afresh)."""
    if group.kind == "manual":
        stmt = (select(Customer).join(ClientGroupMember, ClientGroupMember.customer_id == Customer.id)
                .where(ClientGroupMember.group_id == group.id, Customer.merged_into_id.is_(None)).order_by(Customer.name))
        return list((await session.exec(stmt)).all())
    rule: dict[str, Any] = group.rule or {}
    customers = list((await session.exec(select(Customer).where(Customer.merged_into_id.is_(None)).order_by(Customer.name))).all())
    if rule.get("city"):
        cities = {c.strip().lower() for c in rule["city"]}
        customers = [c for c in customers if (c.city or "").strip().lower() in cities]
    if rule.get("tag"):
        wanted = {t.strip().lower() for t in rule["tag"]}
        customers = [c for c in customers if wanted & {t for t in (c.tags or "").split(",") if t}]
    if rule.get("abc") or rule.get("xyz"):
        classes = {k.customer_id: k for k in await abc_xyz(session, today or date.today(), thresholds or Thresholds())}
        customers = [c for c in customers if c.id in classes
                     and (not rule.get("abc") or classes[c.id].abc in rule["abc"])
                     and (not rule.get("xyz") or classes[c.id].xyz in rule["xyz"])]
    return customers


async def list_groups(session: AsyncSession) -> list[ClientGroup]:
    return list((await session.exec(select(ClientGroup).order_by(ClientGroup.name))).all())
