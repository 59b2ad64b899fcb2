"""SMS mailings to client groups, and marking orders delivered.

    /mailing                          pick a group, write the text, see who gets it, send or schedule
    /mailing GROUP | TEXT             straight to the preview
    /mailing status ID, /mailing cancel ID
    "text all A-customers about the spring sale"   (send_mailing intent: the group is found in the words)
    /delivered 1042                   the order reached the customer (SMS to the customer)
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from domain import mailings
from domain.crm import groups as crm_groups
from domain.crm.reports import Thresholds
from domain.errors import InvalidInput, N_, NotFound
from domain.models import ClientGroup
from domain.punctuation import join_sentences
from domain.status_labels import MAILING, status_label

from ...formatting import format_datetime, format_number, shorten
from domain.orders.notifications import mark_delivered

from ..messages import Button
from ..router import Route, Router
from ..turn import MAX_ID, Turn, button_id
from .crm_common import entities

FLOW = "mailing"
SAMPLES = 3
_ABC_WORDS = re.compile(r"\b([ABC])[\s-]*(?:customers?|clients?|клиент\w*|класс?\w*)", re.IGNORECASE)


def _thresholds(turn: Turn) -> Thresholds:
    return turn.services.settings.sales.abc_xyz.thresholds()


async def _find_group(turn: Turn, text: str) -> ClientGroup | None:
    """A group named in the words, longest name first; "A-customers" -> the group whose rule is abc=A."""
    groups = await crm_groups.list_groups(turn.session)
    low = (text or "").lower()
    for g in sorted(groups, key=lambda g: -len(g.name)):
        if g.name.lower() in low:
            return g
    m = _ABC_WORDS.search(text or "")
    if m:
        wanted = m.group(1).upper()
        for g in groups:
            if g.kind == "rule" and (g.rule or {}).get("abc") == [wanted] and len(g.rule) == 1:
                return g
    return None


async def _ask_group(turn: Turn) -> None:
    groups = await crm_groups.list_groups(turn.session)
    if not groups:  # all customers (with SMS consent) is always an audience
        groups = [await crm_groups.everyone(turn.session, turn.user)]
    turn.goto(FLOW, "group")
    turn.say(turn.t("Which group should get the SMS?"),
             [[Button(shorten(g.name, 40), f"ml:g:{g.id}")] for g in groups[:12]])


def _ask_text(turn: Turn, group: ClientGroup) -> None:
    turn.goto(FLOW, "text", group=group.name)
    turn.say(turn.t("What should the SMS to {group} say? You can use {{first_name}} and {{company}}.", group=group.name))


async def start(turn: Turn) -> None:
    args = turn.args.strip()
    verb, _, rest = args.partition(" ")
    if verb.lower() in ("status", "cancel") and rest.strip().isascii() and rest.strip().isdigit():
        if int(rest) > MAX_ID:  # larger than any id (and than the database's integer)
            raise NotFound(N_("No mailing {id}."), id=rest.strip())
        await (_status if verb.lower() == "status" else _cancel)(turn, int(rest))
        return
    turn.end()
    if "|" in args:
        name, _, body = args.partition("|")
        await _preview(turn, name.strip(), body)
        return
    if args:
        group = await _find_group(turn, args)
        if group is not None:
            _ask_text(turn, group)
            return
    await _ask_group(turn)


# "text all customers: ...", "всем клиентам", "всички клиенти", "toți clienții", "所有客户"
_EVERYONE = re.compile(r"\b(all|every)\s+(our\s+)?(customers|clients)\b|\beveryone\b|\bevery customer\b|всем\s+клиентам|всем\s+покупателям"
                       r"|всей\s+базе|всички(те)?\s+клиенти|на\s+всички|to[tț]i\s+clien[tț]ii|tuturor\s+clien[tț]ilor|所有客户|全部客户|所有的客户", re.I)


async def from_intent(turn: Turn) -> None:
    turn.end()
    text = (turn.parsed.text if turn.parsed is not None and getattr(turn.parsed, "text", None) else turn.inbound.text) or ""
    group = await _find_group(turn, text)
    if group is None and _EVERYONE.search(text):
        group = await crm_groups.everyone(turn.session, turn.user)
    if group is None:
        await _ask_group(turn)
        return
    head, colon, body = text.partition(":")
    if colon and body.strip() and _EVERYONE.search(head) or colon and body.strip() and group.name.lower() in head.lower():
        await _preview(turn, group.name, body.strip())  # "text all customers: closed on Monday" has its text already
        return
    _ask_text(turn, group)


async def on_group_text(turn: Turn) -> None:
    group = await _find_group(turn, turn.inbound.text or "")
    if group is None:
        group = await crm_groups.group_by_name(turn.session, turn.inbound.text or "")
    _ask_text(turn, group)


async def on_text(turn: Turn) -> None:
    await _preview(turn, turn.state["group"], turn.inbound.text or "")


async def _preview(turn: Turn, group_name: str, body: str) -> None:
    settings = turn.services.settings
    mailing, aud = await mailings.draft_mailing(turn.session, turn.user, group_name, body, today=turn.now().date(),
                                                default_tz=settings.company.timezone, thresholds=_thresholds(turn))
    turn.end()
    ex = aud.excluded
    lines = [turn.tn("SMS to {group}: {n} recipient.", "SMS to {group}: {n} recipients.", len(aud.recipients), group=group_name.strip())]
    if ex:
        lines.append(turn.t("Left out: {opted} opted out, {consent} without SMS consent, {phone} without a phone, {dup} duplicate numbers.",
                            opted=ex.get("opted_out", 0), consent=ex.get("no_consent", 0), phone=ex.get("no_phone", 0),
                            dup=ex.get("duplicate", 0)))
    if not aud.recipients:
        lines.append(turn.t("Nobody to send to."))
        turn.say("\n".join(lines))
        return
    lines.append(turn.t("Preview:"))
    lines += [f"→ {r.phone}: {mailings.personalise(mailing.body, r)}" for r in aud.recipients[:SAMPLES]]
    quiet = settings.mailings.quiet_hours
    if quiet:
        lines.append(turn.t("Nobody is texted during quiet hours ({window}, their local time): those wait until morning.",
                            window=quiet))
    turn.say("\n".join(lines), [[Button(turn.t("Send now"), f"ml:send:{mailing.id}"),
                                 Button(turn.t("Tomorrow 10:00"), f"ml:t10:{mailing.id}")],
                                [Button(turn.t("Cancel"), f"ml:cancel:{mailing.id}")]])


async def _queue(turn: Turn, mailing_id: int, send_at: datetime | None) -> None:
    settings = turn.services.settings
    mailing = await mailings.queue_mailing(turn.session, turn.user, mailing_id, now=turn.services.clock(),
                                           today=turn.now().date(), default_tz=settings.company.timezone, send_at=send_at,
                                           quiet=settings.mailings.quiet_hours or None, thresholds=_thresholds(turn))
    rate = settings.mailings.rate_per_s
    if send_at is None:
        text = turn.tn("Sending SMS mailing {id} to {n} recipient.", "Sending SMS mailing {id} to {n} recipients.", mailing.recipients, id=mailing.id)
    else:
        text = turn.tn("SMS mailing {id} to {n} recipient will go out {when}.", "SMS mailing {id} to {n} recipients will go out {when}.",
                       mailing.recipients, id=mailing.id, when=format_datetime(send_at, turn.lang, turn.tz))
    if rate > 0 and mailing.recipients:
        text = join_sentences(text, turn.t("About {minutes} min at {rate}/s.", minutes=max(1, round(mailing.recipients / rate / 60)),
                                           rate=format_number(rate, turn.lang)))
    turn.say(join_sentences(text, turn.t("I'll send you a summary when it is done.")), edit=turn.inbound.kind == "callback")


async def _status(turn: Turn, mailing_id: int) -> None:
    mailing = await mailings.get_mailing(turn.session, mailing_id)
    s = await mailings.mailing_summary(turn.session, mailing)
    turn.say(turn.t("Mailing {id} ({status}): {recipients} recipients, {sent} sent, {delivered} delivered, {failed} failed, "
                    "{opted_out} opted out, {pending} still to send.", id=mailing.id, status=turn.t(status_label(mailing.status, MAILING)),
                    recipients=s.recipients, sent=s.sent, delivered=s.delivered, failed=s.failed, opted_out=s.opted_out,
                    pending=s.pending))


async def _cancel(turn: Turn, mailing_id: int) -> None:
    mailing, stopped = await mailings.cancel_mailing(turn.session, turn.user, mailing_id, now=turn.services.clock())
    turn.say(turn.tn("SMS mailing {id} cancelled; {n} message not sent.", "SMS mailing {id} cancelled; {n} messages not sent.", stopped, id=mailing.id),
             edit=turn.inbound.kind == "callback")


async def on_button(turn: Turn) -> None:
    action, _, rest = turn.args.partition(":")
    if action == "g":
        group = await turn.session.get(ClientGroup, button_id(rest))
        if group is None:
            raise InvalidInput(N_("That group is gone."))
        _ask_text(turn, group)
    elif action == "send":
        await _queue(turn, button_id(rest), None)
    elif action == "t10":
        now = turn.now()
        await _queue(turn, button_id(rest), datetime.combine(now.date() + timedelta(days=1), time(10), turn.tz))
    elif action == "cancel":
        await _cancel(turn, button_id(rest))
    else:
        turn.say(turn.t("That button is no longer valid."))


async def delivered(turn: Turn) -> None:
    ref = turn.args.strip() or (entities(turn).get("order_ref") or "")
    if not ref:
        raise InvalidInput(N_("Which order? For example /delivered 1042."))
    order = await mark_delivered(turn.session, turn.user, ref, now=turn.services.clock())
    turn.say(turn.t("Order {number} marked delivered.", number=order.number))


def register(router: Router) -> None:
    router.declare(
        capability="mailings",
        commands={"mailing": (start, N_("SMS to a client group")),
                  "delivered": (Route(delivered, "manage_orders"), N_("mark an order delivered"))},
        intents={"send_mailing": from_intent},
        steps={FLOW: {"group": on_group_text, "text": on_text}},
        callbacks={"ml": on_button},
    )
