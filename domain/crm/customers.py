"""Customers, their contacts and legal entities: finding, creating, editing, merging."""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from rapidfuzz import fuzz, process, utils
from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..punctuation import split_items
from ..text import clean
from ..errors import Conflict, InvalidInput, N_, PermissionDenied
from ..rows import get_row
from ..models import (
    ClientGroupMember, Contact, Counterparty, Customer, Deal, Interaction, Reminder, SalesOrder, User,
)
from ..permissions import can, require
from ..search import stands_out

# Legal-form words say nothing about who the customer is: "ACME Ltd." is "acme".
_LEGAL_FORMS = re.compile(
    r"\b(ltd|limited|llc|inc|corp|corporation|co|company|gmbh|ag|sa|srl|s\.r\.l|ood|eood|ad|ead|et|"
    r"ооо|оао|зао|пао|ао|ип|еоод|оод|ад|еад|ет|有限公司|公司)\b\.?", re.IGNORECASE)

MATCH_CUTOFF = 70  # below this a name is not a candidate at all
SURE = 90  # at or above this (and clearly ahead of the next) a name is taken without asking
DUPLICATE_NAME = 92  # two customer names this close are probably the same company


def _key(text: str) -> str:
    return utils.default_process(_LEGAL_FORMS.sub(" ", text or "")).strip()


@dataclass(frozen=True)
class Match:
    customer: Customer
    score: float
    via: str  # what matched: the name, code, an alias or a contact's name


async def find_customers(session: AsyncSession, query: str, *, limit: int = 5) -> list[Match]:
    """Customers whose name, code, aliases or contacts' names resemble `query`, best first."""
    query = (query or "").strip()
    key = _key(query)
    if not key:
        return []
    # Plain columns, not ORM objects: loading thousands of entities per keystroke is what costs.
    rows = (await session.exec(select(Customer.id, Customer.code, Customer.name, Customer.aliases)
                               .where(Customer.merged_into_id.is_(None)))).all()
    live = {r[0] for r in rows}
    found: dict[int, tuple[float, str]] = {}  # customer id -> (score, what matched)

    def offer(customer_id: int, score: float, via: str) -> None:
        if score >= MATCH_CUTOFF and (customer_id not in found or score > found[customer_id][0]):
            found[customer_id] = (score, via)

    texts: list[str] = []
    owners: list[tuple[int, str, float]] = []  # (customer id, the text as written, penalty)
    for customer_id, code, name, aliases in rows:
        if code.lower() == query.lower():  # codes match exactly or not at all: C0012 is not "almost" C0013
            offer(customer_id, 100.0, code)
        for text in (name, *(a.strip() for a in (aliases or "").split(","))):
            if text:
                texts.append(_key(text))
                owners.append((customer_id, text, 0.0))
    for customer_id, name in (await session.exec(select(Contact.customer_id, Contact.name))).all():
        if customer_id in live and name:
            texts.append(_key(name))
            owners.append((customer_id, name, 5.0))  # a contact's name is a weaker signal than the company's own
    # One C-level pass over every name (rapidfuzz). WRatio forgives typos, word order and extra
    # words; a name that starts with what was typed ("blue oc") ranks just below an exact one.
    for _, score, i in process.extract(key, texts, scorer=fuzz.WRatio, processor=None, score_cutoff=MATCH_CUTOFF, limit=None):
        customer_id, via, penalty = owners[i]
        offer(customer_id, (100.0 if texts[i] == key else score) - penalty, via)
    if len(key) >= 3:
        for i, text in enumerate(texts):
            if text.startswith(key) and text != key:
                customer_id, via, penalty = owners[i]
                offer(customer_id, 96.0 - penalty, via)
    ranked = sorted(found.items(), key=lambda kv: -kv[1][0])[:limit]
    customers = {c.id: c for c in (await session.exec(select(Customer).where(Customer.id.in_([cid for cid, _ in ranked])))).all()}
    return sorted((Match(customers[cid], score, via) for cid, (score, via) in ranked), key=lambda m: (-m.score, m.customer.name))


def clear_choice(matches: list[Match]) -> Customer | None:
    """The one customer meant, when it is clear; None when the person should choose."""
    return matches[0].customer if stands_out([m.score for m in matches], sure=SURE) else None


def normalise_phone(raw: str | None, default_region: str) -> str | None:
    """Any way of writing a phone -> E.164; None for empty input; InvalidInput when it is no phone."""
    if raw is None or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw), default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidInput(N_("{phone} doesn't look like a phone number."), phone=raw) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(N_("{phone} isn't a valid phone number."), phone=raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def get_customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await get_row(session, Customer, customer_id, N_("No such customer."))
    while customer.merged_into_id is not None:  # follow merges to the survivor
        customer = await session.get(Customer, customer.merged_into_id)
    return customer


async def find_duplicates(session: AsyncSession, *, name: str | None, phone: str | None, exclude_id: int | None = None) -> list[Customer]:
    """Existing customers with the same phone (theirs or a contact's) or a very similar name."""
    found: dict[int, Customer] = {}
    if phone:
        for c in (await session.exec(select(Customer).where(Customer.phone == phone, Customer.merged_into_id.is_(None)))).all():
            found[c.id] = c
        ids = (await session.exec(select(Contact.customer_id).where(Contact.phone == phone))).all()
        for cid in ids:
            c = await session.get(Customer, cid)
            if c is not None and c.merged_into_id is None:
                found[c.id] = c
    if name and _key(name):
        for c in (await session.exec(select(Customer).where(Customer.merged_into_id.is_(None)))).all():
            if fuzz.token_sort_ratio(_key(name), _key(c.name)) >= DUPLICATE_NAME:
                found[c.id] = c
    found.pop(exclude_id, None)
    return sorted(found.values(), key=lambda c: c.id)


async def _next_code(session: AsyncSession) -> str:
    codes = (await session.exec(select(Customer.code).where(Customer.code.like("C%")))).all()
    numbers = [int(c[1:]) for c in codes if c[1:].isdigit()]
    return f"C{(max(numbers) + 1) if numbers else 1:04d}"


def _clean_name(name: str | None) -> str:
    name = " ".join(clean(name or "").split())
    if len(name) < 2:
        raise InvalidInput(N_("A customer needs a name (at least 2 characters)."))
    if len(name) > 200:
        raise InvalidInput(N_("That name is too long (200 characters at most)."))
    return name


def _tags(raw: str | None) -> str:
    return ",".join(sorted({t.lower() for t in split_items((raw or "").replace(";", ",").replace("\uff1b", ",")) if t}))


async def create_customer(session: AsyncSession, actor: User, *, name: str, phone: str | None = None, city: str | None = None,
                          email: str | None = None, tags: str | None = None, country: str, allow_duplicate: bool = False) -> Customer:
    """Creates a customer owned by `actor`. Raises Conflict naming the duplicates unless allowed."""
    require(actor, "edit_customers")
    name = _clean_name(name)
    phone = normalise_phone(phone, country)
    if not allow_duplicate:
        dupes = await find_duplicates(session, name=name, phone=phone)
        if dupes:
            raise Conflict(N_("{names} already exists. Open it, or create the new one anyway."),
                           names=", ".join(c.name for c in dupes[:3]), ids=[c.id for c in dupes])
    customer = Customer(code=await _next_code(session), name=name, phone=phone, city=(city or "").strip() or None,
                        email=(email or "").strip() or None, tags=_tags(tags), country=country.upper(), owner_id=actor.id)
    session.add(customer)
    await session.flush()
    return customer


EDITABLE = ("name", "phone", "city", "email", "tags", "aliases")


async def update_customer(session: AsyncSession, actor: User, customer_id: int, field: str, value: str | None, *, country: str) -> Customer:
    require(actor, "edit_customers")
    customer = await get_customer(session, customer_id)
    if field not in EDITABLE:
        raise InvalidInput(N_("{field} can't be changed here."), field=field)
    value = (value or "").strip()
    if field == "name":
        customer.name = _clean_name(value)
    elif field == "phone":
        customer.phone = normalise_phone(value, customer.country or country)
    elif field == "tags":
        customer.tags = _tags(value)
    elif field == "aliases":
        customer.aliases = ",".join(a for a in split_items(value) if a)
    elif field == "email":
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise InvalidInput(N_("{email} doesn't look like an e-mail address."), email=value)
        customer.email = value or None
    else:
        setattr(customer, field, value or None)
    await session.flush()
    return customer


async def add_contact(session: AsyncSession, actor: User, customer_id: int, *, name: str, phone: str | None = None,
                      role: str | None = None, email: str | None = None, country: str) -> Contact:
    require(actor, "edit_customers")
    customer = await get_customer(session, customer_id)
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(N_("A contact needs a name."))
    phone = normalise_phone(phone, customer.country or country)
    if phone and (await session.exec(select(Contact).where(Contact.customer_id == customer.id, Contact.phone == phone))).first():
        raise Conflict(N_("{customer} already has a contact with {phone}."), customer=customer.name, phone=phone)
    contact = Contact(customer_id=customer.id, name=name, phone=phone, role=(role or "").strip() or None, email=email)
    session.add(contact)
    await session.flush()
    return contact


async def add_counterparty(session: AsyncSession, actor: User, customer_id: int, *, legal_name: str, tax_id: str | None = None,
                           address: str | None = None) -> Counterparty:
    """A legal entity the customer trades through (one customer may have several)."""
    require(actor, "edit_customers")
    customer = await get_customer(session, customer_id)
    legal_name = " ".join((legal_name or "").split())
    if len(legal_name) < 2:
        raise InvalidInput(N_("A legal entity needs a name."))
    tax_id = (tax_id or "").replace(" ", "").upper() or None
    if tax_id and (await session.exec(select(Counterparty).where(Counterparty.tax_id == tax_id))).first():
        raise Conflict(N_("A legal entity with tax id {tax_id} already exists."), tax_id=tax_id)
    cp = Counterparty(customer_id=customer.id, legal_name=legal_name, tax_id=tax_id, address=address)
    session.add(cp)
    await session.flush()
    return cp


async def merge_customers(session: AsyncSession, actor: User, *, survivor_id: int, duplicate_id: int) -> Customer:
    """Moves everything of `duplicate` to `survivor` and marks the duplicate merged_into it."""
    require(actor, "edit_customers")
    survivor, dup = await get_customer(session, survivor_id), await get_customer(session, duplicate_id)
    if survivor.id == dup.id:
        raise InvalidInput(N_("That is the same customer."))
    if not can(actor, "edit_any_deal") and dup.owner_id not in (None, actor.id):
        raise PermissionDenied(N_("Only {customer}'s owner or a manager can merge it away."), customer=dup.name)
    # Contacts: a phone the survivor already has would break its unique (customer, phone);
    # such a contact is folded into the survivor's one.
    survivor_phones = {c.phone: c for c in (await session.exec(select(Contact).where(Contact.customer_id == survivor.id))).all() if c.phone}
    for contact in (await session.exec(select(Contact).where(Contact.customer_id == dup.id))).all():
        twin = survivor_phones.get(contact.phone) if contact.phone else None
        if twin is not None:
            await session.exec(update(Interaction).where(Interaction.contact_id == contact.id).values(contact_id=twin.id))
            await session.delete(contact)
        else:
            contact.customer_id = survivor.id
    for model in (Interaction, Deal, SalesOrder, Counterparty, Reminder):
        await session.exec(update(model).where(model.customer_id == dup.id).values(customer_id=survivor.id))
    # group memberships: keep one per group
    have = set((await session.exec(select(ClientGroupMember.group_id).where(ClientGroupMember.customer_id == survivor.id))).all())
    for member in (await session.exec(select(ClientGroupMember).where(ClientGroupMember.customer_id == dup.id))).all():
        if member.group_id in have:
            await session.delete(member)
        else:
            member.customer_id = survivor.id
    # what the survivor lacks, the duplicate may know
    for field in ("phone", "email", "city", "country", "language", "timezone"):
        if not getattr(survivor, field) and getattr(dup, field):
            setattr(survivor, field, getattr(dup, field))
    survivor.aliases = ",".join(dict.fromkeys(a for a in [*(survivor.aliases or "").split(","), dup.name,
                                                           *(dup.aliases or "").split(",")] if a.strip()))
    survivor.tags = _tags(f"{survivor.tags},{dup.tags}")
    dup.merged_into_id = survivor.id
    await session.flush()
    return survivor


async def delete_new_customer(session: AsyncSession, actor: User, customer_id: int) -> str:
    """Undo of a just-created customer: only while nothing refers to it."""
    customer = await get_row(session, Customer, customer_id, N_("That customer is already gone."))
    if customer.owner_id != actor.id and not can(actor, "edit_any_deal"):
        raise PermissionDenied(N_("Only the person who created {customer} can undo it."), customer=customer.name)
    for model in (Interaction, Deal, SalesOrder, Reminder, Counterparty):
        n = (await session.exec(select(func.count()).select_from(model).where(model.customer_id == customer_id))).one()
        if n:
            raise Conflict(N_("{customer} already has other records; it can't simply be undone."), customer=customer.name)
    for contact in (await session.exec(select(Contact).where(Contact.customer_id == customer_id))).all():
        await session.delete(contact)
    for member in (await session.exec(select(ClientGroupMember).where(ClientGroupMember.customer_id == customer_id))).all():
        await session.delete(member)
    await session.flush()  # dependants first: there are no ORM relationships to order the deletes
    name = customer.name
    await session.delete(customer)
    await session.flush()
    return name
