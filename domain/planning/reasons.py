"""The sentence that says why a quantity is suggested."""
from __future__ import annotations

LONG_COVER_DAYS = 180


def fmt(x: float) -> str:
    """12.0 -> "12", 12.25 -> "12.25", 0.04 -> "0.04"."""
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 10 else f"{x:.1f}".rstrip("0").rstrip(".")


def explain(line) -> str:
    """One line of a plan (a PlanLine) in words, from demand to the rounded order."""
    parts = []
    if line.forecast_per_day > 0:
        demand = f"sells ~{fmt(line.forecast_per_day)}/day ({line.method})"
        if line.dependent_per_day > 0:
            demand += f", {fmt(line.dependent_per_day)}/day of it in {', '.join(line.parents)}"
        parts.append(demand)
    else:
        parts.append(f"no sales in the last {line.history_days} days")
    if line.lead_time_source == "quoted":
        parts.append(f"lead time {fmt(line.lead_time_days)} d")
    elif line.lead_time_source == "default":
        parts.append(f"lead time {fmt(line.lead_time_days)} d (default: no supplier)")
    else:
        who = "this product" if line.lead_time_source == "observed" else "this supplier"
        parts.append(f"lead time {fmt(line.lead_time_days)} d ±{fmt(line.lead_time_sd)} "
                     f"(observed on {line.lead_time_receipts} receipts of {who})")
    if line.has_rule:
        policy = f"min {fmt(line.reorder_point)} / max {fmt(line.order_up_to)} (set)"
    else:
        policy = (f"safety stock {fmt(line.safety_stock)} ({line.service_level:.0%} service) "
                  f"→ reorder point {fmt(line.reorder_point)}")
    text = ", ".join(parts) + f", {policy}; "
    stock = f"on hand {fmt(line.on_hand)}"
    if line.kit_stock:
        stock += f" + {fmt(line.kit_stock)} in kits"
    stock += f" + on order {fmt(line.on_order)} − reserved {fmt(line.reserved)}"
    text += f"projected {fmt(line.projected)} ({stock})"
    if line.suggested_qty > 0:
        text += f" → order {fmt(line.suggested_qty)}"
        rounding = []
        if line.suggested_qty > line.need + 1e-9:
            text += f" (needs {fmt(line.need)} to reach {fmt(line.order_up_to)})"
            if line.moq > 1 or line.need < line.moq:
                rounding.append(f"MOQ {fmt(line.moq)}")
            if line.pack_multiple > 1:
                rounding.append(f"multiple {fmt(line.pack_multiple)}")
        else:
            text += f" to reach {fmt(line.order_up_to)}"
        if rounding:
            text += ": " + ", ".join(rounding)
        if line.forecast_per_day > 0:
            days = (line.projected + line.suggested_qty) / line.forecast_per_day
            if days > LONG_COVER_DAYS:  # worth a second look: usually an MOQ far above what sells
                text += f" (lasts ~{fmt(round(days))} days at this rate)"
        if line.supplier is None:
            text += "; no supplier on file"
    else:
        text += " → nothing to order"
    if not line.has_rule and line.suggested_min is not None and line.suggested_min > 0:
        text += f"; no min/max set: suggest min {fmt(line.suggested_min)} / max {fmt(line.suggested_max)}"
    return text
