"""What each import/export kind is called in a sentence. Kinds are codes typed in commands
("/export order_lines"); people read words, so a reply names the kind by its label (a noun
phrase standing on its own, in parentheses or after a colon, so no language has to decline it)."""
from __future__ import annotations

from ..errors import Contextual, Npt_

KIND_LABELS: dict[str, Contextual] = {
    "customers": Npt_("import kind", "customers"),
    "contacts": Npt_("import kind", "customer contacts"),
    "products": Npt_("import kind", "products"),
    "barcodes": Npt_("import kind", "barcodes"),
    "locations": Npt_("import kind", "warehouse bins"),
    "suppliers": Npt_("import kind", "suppliers"),
    "supplier_products": Npt_("import kind", "supplier prices and lead times"),
    "stock": Npt_("import kind", "stock on hand"),
    "orders": Npt_("import kind", "sales orders"),
    "order_lines": Npt_("import kind", "sales order lines"),
    "purchase_orders": Npt_("import kind", "purchase orders"),
    "purchase_order_lines": Npt_("import kind", "purchase order lines"),
    "boms": Npt_("import kind", "kits and their components"),
    "sales_history": Npt_("import kind", "sales history"),
}


def kind_label(kind: str) -> str:
    """The label template of a kind (its code when it has none)."""
    return KIND_LABELS.get(kind, kind)
