"""Which tables the audit log follows, and which record each row's change belongs to.

Every table is either here (SUBJECTS) or deliberately left out (NOT_AUDITED, with
the reason); a test checks that a new table makes that choice. A child row's
change is filed under its parent with a `part` ("line:2"), so asking about
order 1042 also shows its lines.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import (
    AuditEntry, Barcode, BillOfMaterial, ClientGroup, ClientGroupMember, Contact, Conversation, Counter, Counterparty,
    CountLine, CountTask, Customer, Deal, DealStageChange, EarlyDeliveryStatus, Interaction, Invite, Invoice, Location,
    Mailing, NluCorrection, Outbox, OutboxPace, Payment, PickList, PickTask, PlanRun, PlanSuggestion, ProcessBeat, ProcessedUpdate, Product,
    PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, ReorderRule, Reminder, SalesHistory, SalesOrder,
    SalesOrderLine, Shipment, ShipmentLine, SmsOptOut, StockMove, StockQuant, StockReservation, Supplier, SupplierProduct, Transfer,
    TransferLine, User, Warehouse, WarehouseTask,
)

# Fields never worth a line in the log: the entry has its own time, the row its own id.
ALWAYS_HIDDEN = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Subject:
    entity: str
    id_of: Callable[[Any], Any] = lambda o: o.id
    label_of: Callable[[Any], str | None] | None = None
    part_of: Callable[[Any], str] | None = None  # a child row: how it is named under its parent
    hide: frozenset[str] = field(default_factory=frozenset)  # e.g. the parent's id on a child row

    def hidden(self) -> frozenset[str]:
        return ALWAYS_HIDDEN | self.hide


def _part(kind: str, attr: str) -> Callable[[Any], str]:
    return lambda o: f"{kind}:{getattr(o, attr)}"


SUBJECTS: dict[type, Subject] = {
    # sales
    SalesOrder: Subject("order", label_of=lambda o: o.number),
    SalesOrderLine: Subject("order", id_of=lambda o: o.order_id, part_of=_part("line", "line_no"), hide=frozenset({"order_id"})),
    PickList: Subject("order", id_of=lambda o: o.order_id, part_of=_part("pick_list", "id"), hide=frozenset({"order_id"})),
    Shipment: Subject("order", id_of=lambda o: o.order_id, part_of=_part("shipment", "number"), hide=frozenset({"order_id"})),
    Invoice: Subject("invoice", label_of=lambda o: o.number),
    Payment: Subject("invoice", id_of=lambda o: o.invoice_id, part_of=_part("payment", "id"), hide=frozenset({"invoice_id"})),
    # crm
    Customer: Subject("customer", label_of=lambda o: o.code),
    Contact: Subject("customer", id_of=lambda o: o.customer_id, part_of=_part("contact", "name"), hide=frozenset({"customer_id"})),
    Counterparty: Subject("customer", id_of=lambda o: o.customer_id, part_of=_part("legal_entity", "legal_name"),
                          hide=frozenset({"customer_id"})),
    Interaction: Subject("customer", id_of=lambda o: o.customer_id, part_of=_part("interaction", "id"), hide=frozenset({"customer_id"})),
    Deal: Subject("deal", label_of=lambda o: o.title),
    Reminder: Subject("reminder", label_of=lambda o: (o.text or "")[:60]),
    ClientGroup: Subject("group", label_of=lambda o: o.name),
    ClientGroupMember: Subject("group", id_of=lambda o: o.group_id, part_of=_part("member", "customer_id"), hide=frozenset({"group_id"})),
    Mailing: Subject("mailing"),
    # catalog and planning settings
    Product: Subject("product", label_of=lambda o: o.sku),
    Barcode: Subject("product", id_of=lambda o: o.product_id, part_of=_part("barcode", "code"), hide=frozenset({"product_id"})),
    SupplierProduct: Subject("product", id_of=lambda o: o.product_id, part_of=_part("supplier", "supplier_id"),
                             hide=frozenset({"product_id"})),
    BillOfMaterial: Subject("product", id_of=lambda o: o.parent_product_id, part_of=_part("component", "component_product_id"),
                            hide=frozenset({"parent_product_id"})),
    ReorderRule: Subject("product", id_of=lambda o: o.product_id, part_of=_part("reorder_rule", "warehouse_id"),
                         hide=frozenset({"product_id"})),
    # warehouse
    Warehouse: Subject("warehouse", label_of=lambda o: o.code),
    Location: Subject("location", label_of=lambda o: o.code),
    StockMove: Subject("stock_move", label_of=lambda o: o.document or o.reason),
    Receipt: Subject("receipt", label_of=lambda o: o.number),
    ReceiptLine: Subject("receipt", id_of=lambda o: o.receipt_id, part_of=_part("line", "id"), hide=frozenset({"receipt_id"})),
    CountTask: Subject("count"),
    CountLine: Subject("count", id_of=lambda o: o.count_task_id, part_of=_part("line", "id"), hide=frozenset({"count_task_id"})),
    Transfer: Subject("transfer", label_of=lambda o: o.number),
    TransferLine: Subject("transfer", id_of=lambda o: o.transfer_id, part_of=_part("line", "id"), hide=frozenset({"transfer_id"})),
    # purchasing
    Supplier: Subject("supplier", label_of=lambda o: o.code),
    PurchaseOrder: Subject("purchase_order", label_of=lambda o: o.number),
    PurchaseOrderLine: Subject("purchase_order", id_of=lambda o: o.po_id, part_of=_part("line", "line_no"), hide=frozenset({"po_id"})),
    # people and consent
    User: Subject("person", label_of=lambda o: o.name),
    Invite: Subject("invite", label_of=lambda o: o.code),
    SmsOptOut: Subject("phone", id_of=lambda o: o.phone, label_of=lambda o: o.phone, hide=frozenset({"phone", "opted_out_at"})),
}

NOT_AUDITED: dict[type, str] = {
    AuditEntry: "the log itself",
    Outbox: "message plumbing: the change that queued a message is logged",
    OutboxPace: "message plumbing",
    EarlyDeliveryStatus: "message plumbing",
    Conversation: "dialogue state",
    ProcessedUpdate: "idempotency keys",
    Counter: "number sequences",
    StockQuant: "a cache of the stock ledger, whose moves are logged",
    StockReservation: "derived from the order lines' reserved quantities, which are logged",
    PickTask: "step-by-step progress; the picked quantities and stock moves are logged",
    WarehouseTask: "a work queue; the moves that do the work are logged",
    PlanRun: "a computation; the purchase orders approved from it are logged",
    PlanSuggestion: "a computation; the purchase orders approved from it are logged",
    SalesHistory: "imported demand statistics, not business records",
    ShipmentLine: "the shipped quantities are logged on the order lines and as stock moves",
    DealStageChange: "itself a history of the deal's stage, which is logged on the deal",
    NluCorrection: "training examples for the language model (which reading a person picked), not business records",
    ProcessBeat: "liveness of the running processes (heartbeats), not business records",
}
