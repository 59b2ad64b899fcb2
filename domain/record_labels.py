"""What kinds of records and bins are called in a sentence. Kinds are codes ("purchase_order",
"dock") and class names (SalesOrderLine); people read words, so an error names a kind by its
label: a template with a context, passed as a value (render_template translates it for the reader).

Each table has its own context because each is said in its own place: a record kind stands before
its reference ("order 1042": Romanian says «comanda 1042», where a field label is «comandă:»),
a bin kind fills "{bin} is a {kind} location", and a record without a reference opens
"No such record: {what}".
"""
from __future__ import annotations

from .errors import Npt_, label_tables

_RECORD, _LOCATION, _ROW = "record", "location", "row"

# One row a label: which table, code, label (each table has its own msgid context).
_LABELS = label_tables([
    # The kinds /history tells about (domain/audit/history.py KINDS), said before their reference.
    (_RECORD, "order", Npt_("record kind", "order")),
    (_RECORD, "deal", Npt_("record kind", "deal")),
    (_RECORD, "product", Npt_("record kind", "product")),
    (_RECORD, "customer", Npt_("record kind", "customer")),
    (_RECORD, "person", Npt_("record kind", "team member")),
    (_RECORD, "invoice", Npt_("record kind", "invoice")),
    (_RECORD, "purchase_order", Npt_("record kind", "purchase order")),
    (_RECORD, "supplier", Npt_("record kind", "supplier")),
    (_RECORD, "location", Npt_("record kind", "location")),
    (_RECORD, "warehouse", Npt_("record kind", "warehouse")),
    (_RECORD, "receipt", Npt_("record kind", "receipt")),
    (_RECORD, "transfer", Npt_("record kind", "transfer")),
    (_RECORD, "count", Npt_("record kind", "stock count")),
    (_RECORD, "group", Npt_("record kind", "client group")),
    (_RECORD, "mailing", Npt_("record kind", "mailing")),
    (_RECORD, "stock_move", Npt_("record kind", "stock move")),
    (_RECORD, "reminder", Npt_("record kind", "reminder")),
    (_RECORD, "invite", Npt_("record kind", "invite")),
    (_RECORD, "phone", Npt_("record kind", "phone number")),
    # Bin kinds (LocationKind), as in "D-01 is a dock location".
    (_LOCATION, "storage", Npt_("location kind", "storage")),
    (_LOCATION, "pick", Npt_("location kind", "pick")),
    (_LOCATION, "quarantine", Npt_("location kind", "quarantine")),
    (_LOCATION, "dock", Npt_("location kind", "dock")),
    (_LOCATION, "transit", Npt_("location kind", "transit")),
    (_LOCATION, "supplier", Npt_("location kind", "supplier")),
    (_LOCATION, "customer", Npt_("location kind", "customer")),
    (_LOCATION, "adjustment", Npt_("location kind", "adjustment")),
    (_LOCATION, "scrap", Npt_("location kind", "scrap")),
    # Rows locked by their id (domain/inventory/common.py locked()), by class name.
    (_ROW, "SalesOrder", Npt_("record", "sales order")),
    (_ROW, "SalesOrderLine", Npt_("record", "sales order line")),
    (_ROW, "PurchaseOrder", Npt_("record", "purchase order")),
    (_ROW, "PurchaseOrderLine", Npt_("record", "purchase order line")),
    (_ROW, "ReceiptLine", Npt_("record", "receipt line")),
    (_ROW, "CountTask", Npt_("record", "stock count")),
    (_ROW, "Transfer", Npt_("record", "transfer")),
    (_ROW, "WarehouseTask", Npt_("record", "warehouse task")),
])
RECORD_KINDS, LOCATION_KINDS, ROW_KINDS = _LABELS[_RECORD], _LABELS[_LOCATION], _LABELS[_ROW]


def record_kind(kind: str) -> str:
    """The label of a /history kind (its code when it has none)."""
    return RECORD_KINDS.get(kind, kind)


def location_kind(kind: str) -> str:
    kind = str(getattr(kind, "value", kind))
    return LOCATION_KINDS.get(kind, kind)


def row_kind(model: type) -> str:
    return ROW_KINDS.get(model.__name__, model.__name__)
