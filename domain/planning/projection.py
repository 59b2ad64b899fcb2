"""The reorder simulation behind the plan's chart: a product's stock day by day, with and
without the plan's orders."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .policy import round_order
from .run import PlanLine


def projection(line: PlanLine, today: date, days: int) -> tuple[list[date], list[float], list[float]]:
    """Day by day available stock: without new orders, and following the plan (today's
    suggestion, then a new order whenever stock on hand + on order falls to the reorder
    point, rounded as the supplier requires). Demand is the forecast per day; open orders
    arrive on their expected date (after the lead time when they have none)."""
    lead = max(int(round(line.lead_time_days)), 0)
    incoming: dict[int, float] = {}
    for when, qty in line.arrivals:
        k = max((when - today).days, 0) if when else lead
        incoming[k] = incoming.get(k, 0.0) + qty
    start = line.on_hand + line.kit_stock - line.reserved - line.picked - line.backordered
    level_without = level_with = start
    planned: dict[int, float] = {}  # day -> quantity the plan receives
    pipeline = line.on_order
    xs, without, with_plan = [], [], []
    for k in range(days + 1):
        if k > 0:
            level_without -= line.forecast_per_day
            level_with -= line.forecast_per_day
        level_without += incoming.get(k, 0.0)
        level_with += incoming.get(k, 0.0) + planned.pop(k, 0.0)
        pipeline -= incoming.get(k, 0.0)
        position = level_with + pipeline + sum(planned.values())
        if k == 0:
            qty = line.suggested_qty
        elif line.forecast_per_day > 0 and position <= line.reorder_point:
            qty = float(round_order(np.array([line.order_up_to - position]), np.array([line.moq]),
                                    np.array([line.pack_multiple]))[0])
        else:
            qty = 0.0
        if qty > 0:
            if lead == 0:
                level_with += qty
            else:
                planned[k + lead] = planned.get(k + lead, 0.0) + qty
        xs.append(today + timedelta(days=k))
        without.append(level_without)
        with_plan.append(level_with)
    return xs, without, with_plan
