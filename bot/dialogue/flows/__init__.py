"""Every flow module registers its handlers on the router."""
from __future__ import annotations

import importlib

from ..router import Router

FLOWS = ["basics", "orders", "warehouse", "voice", "planning", "dataio", "interactions", "sales_customers", "sales_deals",
         "sales_reminders", "sales_reports", "reports_now", "mailings", "language", "history", "people", "purchasing",
         "unsaved", "flow_steps"]


def build_router() -> Router:
    router = Router()
    for name in FLOWS:
        importlib.import_module(f"{__name__}.{name}").register(router)
    importlib.import_module(f"{__name__}.flow_buttons").register(router)  # after every flow registered its buttons
    return router
