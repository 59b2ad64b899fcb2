"""Words for the status codes stored on records, marked for translation with the kind of
record as context: other languages say "cancelled" differently for an order, a count and an
invoice (ru отменён / отменена / отменён; bg отказана / отказан), so each kind has its own
msgid context.

Status codes are data ('partially_received'); people read words. Errors and dialogue texts
put a status into a sentence as `Status(kind, code)` or through `status_label(code, kind)`,
so no reply carries a raw code. This is the one table of status words (the SMS and voice
order status use it too).
"""
from __future__ import annotations

from .errors import Contextual, Npt_, label_tables

ORDER, ORDER_FOR_CUSTOMER, INVOICE, PO, COUNT, PICK, TASK, DEAL, MAILING, REMINDER, INSPECTION, TRANSFER, RECEIPT = (
    "order", "order for the customer", "invoice", "purchase order", "count", "pick list", "task", "deal", "mailing", "reminder",
    "inspection", "transfer", "receipt")

# Each order status as the warehouse says it and as told to the customer (SMS, phone), who does
# not know the warehouse's steps: one row a status, so neither wording can miss one.
ORDER_WORDS: dict[str, tuple[Contextual, Contextual]] = {
    "draft": (Npt_("order status", "a draft"), Npt_("order status for the customer", "received, not yet confirmed")),
    "confirmed": (Npt_("order status", "confirmed"), Npt_("order status for the customer", "confirmed")),
    "reserved": (Npt_("order status", "reserved"), Npt_("order status for the customer", "confirmed, goods reserved")),
    "picking": (Npt_("order status", "being picked"), Npt_("order status for the customer", "being picked in the warehouse")),
    "packed": (Npt_("order status", "packed"), Npt_("order status for the customer", "packed, ready to ship")),
    "shipped": (Npt_("order status", "shipped"), Npt_("order status for the customer", "shipped")),
    "partially_shipped": (Npt_("order status", "partly shipped"), Npt_("order status for the customer", "partly shipped")),
    "delivered": (Npt_("order status", "delivered"), Npt_("order status for the customer", "delivered")),
    "cancelled": (Npt_("order status", "cancelled"), Npt_("order status for the customer", "cancelled")),
}

# The other kinds' words, one row a word: kind, code, word (the msgid context names the kind).
_WORDS = [
    (INVOICE, "open", Npt_("invoice status", "unpaid")),
    (INVOICE, "paid", Npt_("invoice status", "paid")),
    (INVOICE, "cancelled", Npt_("invoice status", "cancelled")),
    (PO, "draft", Npt_("purchase order status", "a draft")),
    (PO, "sent", Npt_("purchase order status", "sent")),
    (PO, "confirmed", Npt_("purchase order status", "confirmed by the supplier")),
    (PO, "partially_received", Npt_("purchase order status", "partly received")),
    (PO, "received", Npt_("purchase order status", "received")),
    (PO, "closed", Npt_("purchase order status", "closed")),
    (PO, "cancelled", Npt_("purchase order status", "cancelled")),
    (COUNT, "counting", Npt_("count status", "being counted")),
    (COUNT, "awaiting_approval", Npt_("count status", "waiting for approval")),
    (COUNT, "done", Npt_("count status", "approved")),
    (COUNT, "rejected", Npt_("count status", "rejected")),
    (PICK, "open", Npt_("pick list status", "open")),
    (PICK, "done", Npt_("pick list status", "finished")),
    (PICK, "cancelled", Npt_("pick list status", "cancelled")),
    (TASK, "open", Npt_("task status", "open")),
    (TASK, "assigned", Npt_("task status", "assigned")),
    (TASK, "done", Npt_("task status", "done")),
    (TASK, "cancelled", Npt_("task status", "cancelled")),
    (DEAL, "new", Npt_("deal stage", "new")),
    (DEAL, "qualified", Npt_("deal stage", "qualified")),
    (DEAL, "proposal", Npt_("deal stage", "proposal")),
    (DEAL, "negotiation", Npt_("deal stage", "negotiation")),
    (DEAL, "won", Npt_("deal stage", "won")),
    (DEAL, "lost", Npt_("deal stage", "lost")),
    (MAILING, "draft", Npt_("mailing status", "a draft")),
    (MAILING, "queued", Npt_("mailing status", "scheduled")),
    (MAILING, "done", Npt_("mailing status", "sent")),
    (MAILING, "cancelled", Npt_("mailing status", "cancelled")),
    (REMINDER, "pending", Npt_("reminder status", "pending")),
    (REMINDER, "sent", Npt_("reminder status", "sent")),
    (REMINDER, "done", Npt_("reminder status", "done")),
    (REMINDER, "cancelled", Npt_("reminder status", "cancelled")),
    (INSPECTION, "not_required", Npt_("goods inspection", "not needing inspection")),
    (INSPECTION, "pending", Npt_("goods inspection", "waiting for inspection")),
    (INSPECTION, "accepted", Npt_("goods inspection", "accepted")),
    (INSPECTION, "rejected", Npt_("goods inspection", "rejected")),
    (TRANSFER, "in_transit", Npt_("transfer status", "in transit")),
    (TRANSFER, "received", Npt_("transfer status", "received")),
    (RECEIPT, "booked", Npt_("receipt status", "booked")),
]

STATUS_LABELS: dict[str, dict[str, Contextual]] = {
    ORDER: {code: word for code, (word, _) in ORDER_WORDS.items()},
    ORDER_FOR_CUSTOMER: {code: word for code, (_, word) in ORDER_WORDS.items()},
    **label_tables(_WORDS),
}

# Parameters of error templates that hold a status code of a known kind (a plain code in them is
# read as that kind's).
STATUS_PARAMS = {"status": ORDER, "po_status": PO, "stage": DEAL}


class Status:
    """A status code of a kind of record, as a value put into a sentence (rendered as its word)."""

    __slots__ = ("kind", "code")

    def __init__(self, kind: str, code: str):
        self.kind, self.code = kind, str(code)

    def __str__(self) -> str:
        return str(status_label(self.code, self.kind))

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731

    def __eq__(self, other) -> bool:
        return (isinstance(other, Status) and (self.kind, self.code) == (other.kind, other.code)) or other == self.code

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Status({self.kind!r}, {self.code!r})"


def status_label(code: str, kind: str = ORDER) -> str:
    """The word (a translation template with its kind as context) for a status code; an unknown
    code of a known kind is looked up in the other kinds before it passes through as it is."""
    code = str(getattr(code, "value", code))
    found = STATUS_LABELS.get(kind, {}).get(code)
    if found is None:
        found = next((labels[code] for labels in STATUS_LABELS.values() if code in labels), None)
    return found if found is not None else code


def all_labels() -> list[tuple[str, str, Contextual]]:
    """(kind, code, label) of every status word: for the tests that no language lacks one."""
    return [(kind, code, label) for kind, labels in STATUS_LABELS.items() for code, label in labels.items()]
