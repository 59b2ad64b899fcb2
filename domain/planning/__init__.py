"""Replenishment planning: what to reorder, from whom, how much, and why.

    run_plan(session, warehouse_code=None, progress=None) -> PlanResult
    approve_suggestions(session, suggestion_ids=None, run_id=None) -> list[PurchaseOrder]
    supplier_performance(session, supplier_code=None) -> list[SupplierPerformance]
    set_reorder_rule(session, sku, warehouse_code, min_qty, max_qty) -> ReorderRule

The math (forecast.py, policy.py, bom.py) is pure numpy and knows no database.
"""
from .approve import approve_suggestions, set_reorder_rule
from .config import PlanningConfig
from .run import PlanLine, PlanResult, run_plan
from .suppliers import SupplierPerformance, supplier_performance

__all__ = ["PlanLine", "PlanResult", "PlanningConfig", "SupplierPerformance", "approve_suggestions", "run_plan",
           "set_reorder_rule", "supplier_performance"]
