"""Words for the status codes stored on records, marked for translation.

Status codes are data ('partially_received'); people read words. Errors and
dialogue texts put a status into a sentence through `status_label`, so a
Russian sentence does not carry an English code.
"""
from __future__ import annotations

from .errors import N_

STATUS_LABELS: dict[str, str] = {
    # orders, invoices, purchase orders, mailings, reminders
    "draft": N_("a draft"), "confirmed": N_("confirmed"), "reserved": N_("reserved"),
    "picking": N_("being picked"), "packed": N_("packed"), "shipped": N_("shipped"), "partially_shipped": N_("partly shipped"),
    "delivered": N_("delivered"), "cancelled": N_("cancelled"), "open": N_("open"),
    "paid": N_("paid"), "sent": N_("sent"), "partially_received": N_("partly received"),
    "received": N_("received"), "queued": N_("queued"), "pending": N_("pending"),
    # warehouse
    "booked": N_("booked"), "not_required": N_("not needing inspection"), "accepted": N_("accepted"),
    "rejected": N_("rejected"), "done": N_("done"), "assigned": N_("assigned"),
    "counting": N_("being counted"), "awaiting_approval": N_("waiting for approval"),
    "in_transit": N_("in transit"), "approved": N_("approved"), "skipped": N_("skipped"),
    # deal stages
    "new": N_("new"), "qualified": N_("qualified"), "proposal": N_("proposal"),
    "negotiation": N_("negotiation"), "won": N_("won"), "lost": N_("lost"),
}

# Parameters of error templates that hold a status code.
STATUS_PARAMS = frozenset({"status", "po_status", "stage"})


def status_label(code: str) -> str:
    """The English word (a translation template) for a status code; unknown codes pass through."""
    return STATUS_LABELS.get(str(code), str(code))
