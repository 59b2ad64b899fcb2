"""Who receives a mailing: consented numbers of a group's customers and their contacts,
minus opted-out numbers, each number once."""
from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..crm.groups import members
from ..crm.reports import Thresholds
from ..errors import InvalidInput, N_
from ..models import ClientGroup, Contact, SmsOptOut

FIELDS = ("first_name", "company")
MAX_CHARS = 1600  # Twilio's limit for one (concatenated) message


@dataclass(frozen=True)
class Recipient:
    phone: str  # E.164
    first_name: str
    company: str
    timezone: str
    customer_id: int


@dataclass
class Audience:
    recipients: list[Recipient]
    excluded: Counter = field(default_factory=Counter)  # opted_out, no_consent, no_phone, duplicate


def check_template(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(N_("The message is empty."))
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError:
        raise InvalidInput(N_("Braces are for {{first_name}} and {{company}} only.")) from None
    unknown = sorted(n for n in names if n not in FIELDS)
    if unknown:
        raise InvalidInput(N_("Unknown field {field}: use {{first_name}} or {{company}}."), field="{" + unknown[0] + "}")
    if len(personalise(body, Recipient("+0", "X" * 20, "X" * 40, "UTC", 0))) > MAX_CHARS:
        raise InvalidInput(N_("The message is too long ({max} characters at most)."), max=MAX_CHARS)
    return body


def personalise(body: str, recipient: Recipient) -> str:
    return body.format(first_name=recipient.first_name, company=recipient.company)


def _first_name(name: str | None) -> str:
    return (name or "").split()[0] if (name or "").split() else ""


async def audience(session: AsyncSession, group: ClientGroup, *, today: date, default_tz: str,
                   thresholds: Thresholds | None = None) -> Audience:
    customers = await members(session, group, today=today, thresholds=thresholds)
    ids = [c.id for c in customers]
    contacts: dict[int, list[Contact]] = {}
    for chunk in range(0, len(ids), 5000):
        for c in (await session.exec(select(Contact).where(Contact.customer_id.in_(ids[chunk:chunk + 5000]))
                                     .order_by(Contact.id))).all():
            contacts.setdefault(c.customer_id, []).append(c)
    opted = set((await session.exec(select(SmsOptOut.phone))).all())
    out = Audience([])
    seen: set[str] = set()
    for customer in customers:
        tz = customer.timezone or default_tz
        people = contacts.get(customer.id, [])
        # (phone, consent, first name): the customer's own number, then each contact's
        numbers = [(customer.phone, customer.sms_consent,
                    next((_first_name(p.name) for p in people if p.phone == customer.phone), ""))]
        numbers += [(p.phone, p.sms_consent, _first_name(p.name)) for p in people]
        reached = False
        for phone, consent, first in numbers:
            if not phone:
                continue
            if not consent:
                out.excluded["no_consent"] += 1
            elif phone in opted:
                out.excluded["opted_out"] += 1
            elif phone in seen:
                out.excluded["duplicate"] += 1
            else:
                seen.add(phone)
                reached = True
                out.recipients.append(Recipient(phone, first, customer.name, tz, customer.id))
        if not reached and not any(p for p, _, _ in numbers):
            out.excluded["no_phone"] += 1
    return out
