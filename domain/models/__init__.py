"""All tables. Importing this module registers every table on SQLModel.metadata."""
from .base import utcnow  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .billing import Counter, Invoice, Payment  # noqa: F401
from .catalog import Barcode, Product  # noqa: F401
from .conversation import Conversation, ProcessedUpdate  # noqa: F401
from .crm import Channel, Contact, Counterparty, Customer, Deal, DealStage, DealStageChange, Interaction, Reminder  # noqa: F401
from .groups import ClientGroup, ClientGroupMember  # noqa: F401
from .mailings import Mailing, OutboxPace  # noqa: F401
from .inventory import Location, LocationKind, StockMove, StockQuant, Warehouse  # noqa: F401
from .messaging import EarlyDeliveryStatus, Outbox  # noqa: F401
from .planning import BillOfMaterial, PlanRun, PlanSuggestion, ReorderRule  # noqa: F401
from .people import Invite, Role, User  # noqa: F401
from .processes import ProcessBeat  # noqa: F401
from .purchasing import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierProduct  # noqa: F401
from .sms import SmsOptOut  # noqa: F401
from .nlu import NluCorrection  # noqa: F401
from .sales import OrderStatus, SalesHistory, SalesOrder, SalesOrderLine, Shipment, ShipmentLine  # noqa: F401
from .warehouse import (  # noqa: F401
    CountLine, CountStatus, CountTask, InspectionStatus, PickList, PickListStatus, PickStepKind, PickTask, Receipt,
    ReceiptLine, StockReservation, TaskKind, TaskStatus, Transfer, TransferLine, TransferStatus, WarehouseTask,
)
