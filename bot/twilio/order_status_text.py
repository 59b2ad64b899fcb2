"""An order's status as a short text for SMS or speech, in the customer's language."""
from __future__ import annotations

from domain.orders.status import OrderStatusView
from domain.punctuation import join_sentences
from domain.status_labels import ORDER_FOR_CUSTOMER, status_label

from ..formatting import format_date, format_number
from ..i18n import tr


def _day(d, lang: str) -> str:
    return format_date(d, lang)


def order_status_text(view: OrderStatusView, lang: str) -> str:
    status = "partially_shipped" if view.partly_shipped else view.status  # the rest may be reserved or picked again
    parts = [tr(lang, "Order {number}: {status}.", number=view.number, status=tr(lang, status_label(status, ORDER_FOR_CUSTOMER)))]
    if view.status == "delivered" and view.delivered_at:
        parts.append(tr(lang, "Delivered on {day}.", day=_day(view.delivered_at, lang)))
    elif view.shipped_lines:
        shipped = ", ".join(f"{ln.product} {format_number(ln.shipped, lang)}/{format_number(ln.ordered, lang)}" for ln in view.shipped_lines[:3])
        parts.append(tr(lang, "Shipped: {items}.", items=shipped))
    if view.partly_shipped:
        # What still waits for stock says when it is expected; what is reserved already is being picked or packed.
        later = [o for o in view.owed if o.waiting > 0][:3]
        ready = [o for o in view.owed if o.waiting <= 0][:3]
        if later:
            dates = [o.expected for o in later if o.expected]
            items = ", ".join(f"{o.name} {format_number(o.quantity, lang)}" for o in later)
            if dates:
                parts.append(tr(lang, "To follow: {items}, expected {day}.", items=items, day=_day(max(dates), lang)))
            else:
                parts.append(tr(lang, "To follow: {items}.", items=items))
        if ready:
            parts.append(tr(lang, "To follow: {items}, being prepared for shipping now.",
                            items=", ".join(f"{o.name} {format_number(o.quantity, lang)}" for o in ready)))
    elif view.status not in ("delivered", "cancelled") and view.promised_date:
        parts.append(tr(lang, "Expected: {day}.", day=_day(view.promised_date, lang)))
    return join_sentences(*parts)
