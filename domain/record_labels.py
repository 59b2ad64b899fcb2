"""What kinds of records and bins are called in a sentence. Kinds are codes ("purchase_order",
"dock") and class names (SalesOrderLine); people read words, so an error names a kind by its
label: a template with a context, passed as a value (render_template translates it for the reader).

Each table has its own context because each is said in its own place: a record kind stands before
its reference ("order 1042": Romanian says «comanda 1042», where a field label is «comandă:»),
a bin kind fills "{bin} is a {kind} location", and a record without a reference opens
"No such record: {what}".
"""
from __future__ import annotations

from .errors import Contextual, Npt_

# The kinds /history tells about (domain/audit/history.py KINDS), said before their reference.
RECORD_KINDS: dict[str, Contextual] = {
    "order": Npt_("record kind", "order"), "deal": Npt_("record kind", "deal"),
    "product": Npt_("record kind", "product"), "customer": Npt_("record kind", "customer"),
    "person": Npt_("record kind", "team member"), "invoice": Npt_("record kind", "invoice"),
    "purchase_order": Npt_("record kind", "purchase order"), "supplier": Npt_("record kind", "supplier"),
    "location": Npt_("record kind", "location"), "warehouse": Npt_("record kind", "warehouse"),
    "receipt": Npt_("record kind", "receipt"), "transfer": Npt_("record kind", "transfer"),
    "count": Npt_("record kind", "stock count"), "group": Npt_("record kind", "client group"),
    "mailing": Npt_("record kind", "mailing"), "stock_move": Npt_("record kind", "stock move"),
    "reminder": Npt_("record kind", "reminder"), "invite": Npt_("record kind", "invite"),
    "phone": Npt_("record kind", "phone number"),
}

# Bin kinds (LocationKind), as in "D-01 is a dock location".
LOCATION_KINDS: dict[str, Contextual] = {
    "storage": Npt_("location kind", "storage"), "pick": Npt_("location kind", "pick"),
    "quarantine": Npt_("location kind", "quarantine"), "dock": Npt_("location kind", "dock"),
    "transit": Npt_("location kind", "transit"), "supplier": Npt_("location kind", "supplier"),
    "customer": Npt_("location kind", "customer"), "adjustment": Npt_("location kind", "adjustment"),
    "scrap": Npt_("location kind", "scrap"),
}

# Rows locked by their id (domain/inventory/common.py locked()), by class name.
ROW_KINDS: dict[str, Contextual] = {
    "SalesOrder": Npt_("record", "sales order"), "SalesOrderLine": Npt_("record", "sales order line"),
    "PurchaseOrder": Npt_("record", "purchase order"), "PurchaseOrderLine": Npt_("record", "purchase order line"),
    "ReceiptLine": Npt_("record", "receipt line"), "CountTask": Npt_("record", "stock count"),
    "Transfer": Npt_("record", "transfer"), "WarehouseTask": Npt_("record", "warehouse task"),
}


def record_kind(kind: str) -> str:
    """The label of a /history kind (its code when it has none)."""
    return RECORD_KINDS.get(kind, kind)


def location_kind(kind: str) -> str:
    kind = str(getattr(kind, "value", kind))
    return LOCATION_KINDS.get(kind, kind)


def row_kind(model: type) -> str:
    return ROW_KINDS.get(model.__name__, model.__name__)
