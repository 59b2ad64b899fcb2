"""Purchase orders in the chat: list, show, send (e-mail with the PDF, or marked sent after a phone
call), confirm with the supplier's date, cancel, close; and the supplier scorecard.

/po                         open purchase orders, drafts first, with buttons
/po PO-20261201-001         one order with what can be done next
/po send NUMBER [phone]     e-mail it to the supplier (or: it was phoned through)
/po confirm NUMBER DATE     the supplier confirmed it for DATE (2026-12-20, 20.12, +5)
/po cancel NUMBER, /po close NUMBER
/suppliers                  on-time rate, fill rate, actual against quoted lead time
"""
from __future__ import annotations

import asyncio

from domain.errors import InvalidInput, N_
from domain.planning import supplier_performance
from domain.purchasing import orders as po_life
from domain.status_labels import PO, Status, status_label

from ...formatting import format_date, format_number
from ...i18n import translate
from ..messages import Attachment, Button
from ..router import Route, Router
from ..turn import Turn, button_id

LIST = 10


def _line(turn: Turn, po: po_life.POView) -> str:
    day = po.confirmed_date or po.expected_date
    when = turn.pt("expected delivery of a purchase order", ", due {day}", day=format_date(day, turn.lang)) if day else ""
    return turn.tn("{number} {supplier}: {status}, {n} line{when}", "{number} {supplier}: {status}, {n} lines{when}", len(po.lines),
                   number=po.number, supplier=po.supplier_code, status=turn.t(status_label(po.status, PO)), when=when)


async def po_cmd(turn: Turn) -> None:
    words = turn.args.split()
    action = words[0].lower() if words else ""
    if not words or action == "list":
        await _list(turn)
    elif action in ("show", "send", "confirm", "cancel", "close", "pdf"):
        if len(words) < 2:
            raise InvalidInput(N_("Which purchase order? Give its number, e.g. PO-20261201-001."))
        po = await po_life.get_po(turn.session, words[1])
        if action == "show":
            await _show(turn, po)
        elif action == "send":
            await _send(turn, po, phoned=len(words) > 2 and words[2].lower() in ("phone", "phoned", "tel"))
        elif action == "confirm":
            if len(words) < 3:
                _ask_date(turn, po)
                return
            await _confirm(turn, po, " ".join(words[2:]))
        elif action == "pdf":
            await _pdf(turn, po)
        else:
            await _end_po(turn, po, action)
    else:
        await _show(turn, await po_life.get_po(turn.session, words[0]))


async def _list(turn: Turn) -> None:
    pos = await po_life.list_pos(turn.session, (po_life.DRAFT, po_life.SENT, po_life.CONFIRMED, po_life.PARTLY), limit=LIST)
    if not pos:
        turn.say(turn.t("No open purchase orders."))
        return
    drafts = sum(1 for p in pos if p.status == po_life.DRAFT)
    head = turn.t("Open purchase orders (drafts are not on order until they are sent):") if drafts else turn.t("Open purchase orders:")
    turn.say("\n".join([head] + [_line(turn, p) for p in pos]), [[Button(p.number, f"po_show:{p.id}")] for p in pos])


def _buttons(turn: Turn, po: po_life.POView) -> list[list[Button]]:
    rows = []
    if po.status in (po_life.DRAFT, po_life.SENT):
        if po.supplier_email and turn.services.settings.email.enabled:
            rows.append([Button(turn.t("E-mail it to {email}", email=po.supplier_email), f"po_send:{po.id}")])
        rows.append([Button(turn.t("Phoned through: mark sent"), f"po_phoned:{po.id}")])
    if po.status in (po_life.SENT, po_life.CONFIRMED, po_life.PARTLY):
        rows.append([Button(turn.t("Supplier confirmed: enter date"), f"po_confirm:{po.id}")])
    end = []
    if po.status in (po_life.DRAFT, po_life.SENT, po_life.CONFIRMED):
        end.append(Button(turn.t("Cancel order"), f"po_cancel:{po.id}"))
    if po.status == po_life.PARTLY:
        end.append(Button(turn.t("Close: the rest won't come"), f"po_close:{po.id}"))
    rows.append([Button(turn.t("PDF"), f"po_pdf:{po.id}")] + end)
    return rows


async def _show(turn: Turn, po) -> None:
    view = await po_life.po_view(turn.session, po)
    out = [_line(turn, view)]
    for ln in view.lines:
        got = turn.t(" ({received} received)", received=format_number(ln.received, turn.lang)) if ln.received else ""
        out.append(f"\u2022 {ln.sku} {ln.name}: {turn.qty(ln.quantity, ln.unit)}{got}")
    if view.status == po_life.DRAFT:
        out.append(turn.t("A draft: the supplier doesn't have it and planning doesn't count it as on order."))
    turn.say("\n".join(out), _buttons(turn, view))


async def _po_by_button(turn: Turn):
    from domain.models import PurchaseOrder

    po = await turn.session.get(PurchaseOrder, button_id(turn.args))
    if po is None:
        raise InvalidInput(N_("That button is no longer valid."))
    return po


def _pdf_bytes(turn: Turn, view: po_life.POView, lang: str) -> bytes:
    from ...documents.purchase_order import render_purchase_order  # fpdf is slow to import: only when needed

    return render_purchase_order(view, turn.services.settings.company, lang)


async def _send(turn: Turn, po, *, phoned: bool) -> None:
    view = await po_life.po_view(turn.session, po)
    if view.status not in (po_life.DRAFT, po_life.SENT):
        raise InvalidInput(N_("Purchase order {number} is {status}; it was sent already."), number=view.number, status=Status(PO, view.status))
    if phoned:
        await po_life.mark_sent(turn.session, turn.user, po, via="phone", today=turn.now().date())
        turn.say(turn.t("{number} marked as sent (phoned through). It now counts as on order.", number=view.number))
        return
    cfg = turn.services.settings.email
    if not view.supplier_email:
        raise InvalidInput(N_("Supplier {code} has no e-mail address: phone the order through and mark it sent."),
                           code=view.supplier_code)
    if not cfg.host or not cfg.from_address:
        raise InvalidInput(N_("E-mail is not set up (email in config.yaml): phone the order through and mark it sent."))
    from ...mail.smtp import MailAttachment, send_mail

    # Marked sent first (and flushed): if the mail fails the transaction rolls back and nothing changes.
    await po_life.mark_sent(turn.session, turn.user, po, via="email", today=turn.now().date())
    view = await po_life.po_view(turn.session, po)
    lang = turn.services.settings.company.language
    pdf = await asyncio.to_thread(_pdf_bytes, turn, view, lang)
    subject = translate(lang, N_("Purchase order {number} from {company}")).format(number=view.number, company=turn.services.settings.company.name)
    body = translate(lang, N_("Please find our purchase order {number} attached. Please confirm it and the delivery date by reply.")).format(number=view.number)
    try:
        await send_mail(cfg, view.supplier_email, subject, body, [MailAttachment(f"{view.number}.pdf", pdf)])
    except OSError as exc:  # smtplib errors are OSErrors too: the order stays a draft
        raise InvalidInput(N_("The e-mail to {email} could not be sent ({error}); {number} is not marked sent."),
                           email=view.supplier_email, error=type(exc).__name__, number=view.number) from None
    turn.say(turn.t("{number} e-mailed to {email} with the PDF. It now counts as on order.", number=view.number,
                    email=view.supplier_email), [[Button(turn.t("Supplier confirmed: enter date"), f"po_confirm:{view.id}")]])


def _ask_date(turn: Turn, po) -> None:
    turn.goto("po", "confirm_date", po_id=po.id)
    turn.say(turn.t("Which delivery date did the supplier confirm for {number}? E.g. 2026-12-20, 20.12 or +5.", number=po.number),
             [[Button(turn.t("Cancel"), "cancel:")]])


async def _confirm(turn: Turn, po, text: str) -> None:
    today = turn.now().date()
    day = po_life.parse_day(text, today)
    await po_life.confirm_po(turn.session, turn.user, po, day, today=today)
    turn.end()
    turn.say(turn.t("{number} confirmed by the supplier for {day}.", number=po.number, day=format_date(day, turn.lang)))


async def on_confirm_date(turn: Turn) -> None:
    from domain.models import PurchaseOrder

    po = await turn.session.get(PurchaseOrder, turn.state["po_id"])
    await _confirm(turn, po, turn.inbound.text or "")


async def _pdf(turn: Turn, po) -> None:
    view = await po_life.po_view(turn.session, po)
    pdf = await asyncio.to_thread(_pdf_bytes, turn, view, turn.lang)
    turn.say(turn.t("Purchase order {number}", number=view.number),
             attachments=[Attachment("document", f"{view.number}.pdf", pdf, caption=view.number)])


async def _end_po(turn: Turn, po, action: str) -> None:
    if action == "cancel":
        await po_life.cancel_po(turn.session, turn.user, po)
        turn.say(turn.t("{number} cancelled.", number=po.number))
    else:
        await po_life.close_po(turn.session, turn.user, po)
        turn.say(turn.t("{number} closed: what was not delivered no longer counts as on order.", number=po.number))


async def on_show(turn: Turn) -> None:
    await _show(turn, await _po_by_button(turn))


async def on_send(turn: Turn) -> None:
    await _send(turn, await _po_by_button(turn), phoned=False)


async def on_phoned(turn: Turn) -> None:
    await _send(turn, await _po_by_button(turn), phoned=True)


async def on_confirm(turn: Turn) -> None:
    _ask_date(turn, await _po_by_button(turn))


async def on_cancel(turn: Turn) -> None:
    await _end_po(turn, await _po_by_button(turn), "cancel")


async def on_close(turn: Turn) -> None:
    await _end_po(turn, await _po_by_button(turn), "close")


async def on_pdf(turn: Turn) -> None:
    await _pdf(turn, await _po_by_button(turn))


async def suppliers_cmd(turn: Turn) -> None:
    from ...reports.scorecard import scorecard_png

    rows = await supplier_performance(turn.session, today=turn.now().date())
    if not rows:
        turn.say(turn.t("No suppliers yet."))
        return
    pct = lambda x: "-" if x is None else f"{100 * x:.0f}%"  # noqa: E731
    days = lambda x: "-" if x is None else format_number(x, turn.lang, max_decimals=1)  # noqa: E731
    out = [turn.t("Supplier scorecard (on time, fill rate, lead time actual / quoted in days):")]
    for r in sorted(rows, key=lambda r: (r.on_time_rate is None, r.on_time_rate or 0))[:15]:
        out.append(f"\u2022 {r.code}: {pct(r.on_time_rate)}, {pct(r.fill_rate)}, "
                   f"{days(r.lead_time_actual_days)} / {days(r.lead_time_quoted_days)}")
    png = await asyncio.to_thread(scorecard_png, rows, lambda s: translate(turn.lang, s))
    turn.say("\n".join(out), attachments=[Attachment("photo", "suppliers.png", png, caption=turn.t("Supplier scorecard"))])


def register(router: Router) -> None:
    router.declare(
        capability="purchasing",
        commands={"po": (po_cmd, N_("purchase orders: /po, /po send|confirm|cancel NUMBER")),
                  "suppliers": (Route(suppliers_cmd, "purchasing", "report"),
                                N_("supplier scorecard: on time, fill rate, lead time"))},
        steps={"po": {"confirm_date": on_confirm_date}},
        callbacks={"po_show": on_show, "po_send": on_send, "po_phoned": on_phoned, "po_confirm": on_confirm,
                   "po_cancel": on_cancel, "po_close": on_close, "po_pdf": on_pdf},
    )
