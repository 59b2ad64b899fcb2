"""Inventory policy over arrays: safety stock, reorder point, order-up-to level,
order quantities rounded to the supplier's minimum and pack multiple.

All functions take numpy arrays (one element per product x warehouse) so the
same code serves one product in a test and 100,000 in the benchmark.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_EPS = 1e-9


def z_for(service_level: np.ndarray) -> np.ndarray:
    """Standard normal quantile of each cycle service level (0.95 -> 1.645)."""
    levels = np.asarray(service_level, dtype=np.float64)
    uniq, inv = np.unique(levels, return_inverse=True)
    z = np.array([NormalDist().inv_cdf(float(p)) for p in uniq])
    return z[inv].reshape(levels.shape)


def safety_stock(z, demand_per_day, sigma_per_day, lead_time_days, lead_time_sd=0.0) -> np.ndarray:
    """z x standard deviation of demand over the lead time, with lead time itself
    uncertain: sqrt(L * sd_d^2 + d^2 * sd_L^2). Whole units, rounded up."""
    d = np.asarray(demand_per_day, dtype=np.float64)
    var = np.asarray(lead_time_days) * np.square(sigma_per_day) + np.square(d) * np.square(lead_time_sd)
    ss = np.asarray(z) * np.sqrt(var)
    return np.ceil(np.maximum(ss, 0.0) - _EPS) + 0.0  # + 0.0: no "-0" from ceil(-tiny)


def reorder_point(demand_per_day, lead_time_days, safety) -> np.ndarray:
    return np.ceil(np.asarray(demand_per_day) * np.asarray(lead_time_days) + np.asarray(safety) - _EPS) + 0.0


def order_up_to(reorder, demand_per_day, review_days) -> np.ndarray:
    """The level an order brings stock back to: reorder point plus a review period of demand."""
    return np.ceil(np.asarray(reorder) + np.asarray(demand_per_day) * np.asarray(review_days) - _EPS) + 0.0


def round_order(need, moq, multiple) -> np.ndarray:
    """Smallest quantity >= need that is at least the MOQ and a whole number of pack multiples."""
    need = np.asarray(need, dtype=np.float64)
    moq = np.maximum(np.asarray(moq, dtype=np.float64), 0.0)
    mult = np.asarray(multiple, dtype=np.float64)
    mult = np.where(mult > 0, mult, 1.0)
    qty = np.maximum(need, moq)
    qty = np.ceil(qty / mult - _EPS) * mult
    return np.where(need > _EPS, qty, 0.0)


@dataclass
class PolicyResult:
    safety_stock: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    projected: np.ndarray
    need: np.ndarray  # up_to - projected where an order is due, else 0
    suggested: np.ndarray  # need rounded to MOQ and multiple
    suggested_min: np.ndarray  # computed reorder point / order-up-to (what a min/max rule would be)
    suggested_max: np.ndarray


def plan_policy(
    *,
    demand_per_day,
    sigma_per_day,
    lead_time_days,
    lead_time_sd,
    service_level,
    review_days,
    on_hand,
    on_order,
    reserved,
    moq,
    multiple,
    rule_min=None,
    rule_max=None,
) -> PolicyResult:
    """Everything a suggestion needs, for all rows at once. Where a min/max rule
    exists (not NaN) it replaces the computed reorder point and order-up-to level."""
    z = z_for(service_level)
    ss = safety_stock(z, demand_per_day, sigma_per_day, lead_time_days, lead_time_sd)
    rop = reorder_point(demand_per_day, lead_time_days, ss)
    up_to = order_up_to(rop, demand_per_day, review_days)
    comp_rop, comp_up = rop, up_to
    if rule_min is not None:
        rmin = np.asarray(rule_min, dtype=np.float64)
        rmax = np.asarray(rule_max, dtype=np.float64)
        has = ~np.isnan(rmin)
        rop = np.where(has, rmin, rop)
        up_to = np.where(has, np.maximum(np.nan_to_num(rmax), rmin), up_to)
    projected = np.asarray(on_hand, dtype=np.float64) + np.asarray(on_order) - np.asarray(reserved)
    # Order when the position falls below the reorder point (already rounded up to whole
    # units, so "at" it is still covered), and always to cover backorders.
    due = (projected < rop) | (projected < 0)
    need = np.where(due, np.maximum(up_to - projected, 0.0), 0.0)
    suggested = round_order(need, moq, multiple)
    return PolicyResult(ss, rop, up_to, projected, need, suggested, comp_rop, comp_up)
