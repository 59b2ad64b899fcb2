"""The sentence that says why a quantity is suggested."""
from __future__ import annotations

from ..errors import N_

LONG_COVER_DAYS = 180


def fmt(x: float) -> str:
    """12.0 -> "12", 12.25 -> "12.25", 0.04 -> "0.04"."""
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 10 else f"{x:.1f}".rstrip("0").rstrip(".")


Phrase = tuple[str, dict]


def explain(line, translate=lambda s: s, number=fmt) -> str:
    """One line of a plan (a PlanLine) in words, from demand to the rounded order.

    translate: the reader's gettext (identity gives English); number: formats quantities for the reader."""
    out = []
    for template, params in explain_phrases(line):
        out.append(translate(template).format(**{k: number(v) if isinstance(v, float) else v for k, v in params.items()}))
    return "".join(out)


def explain_phrases(line) -> list[Phrase]:
    """The sentence as translatable pieces (templates marked N_; float params are quantities)."""
    if getattr(line, "is_kit", False):
        return [(N_("made from components: planned through them"), {})]
    f = float
    out: list[Phrase] = []
    if line.forecast_per_day > 0:
        out.append((N_("sells ~{rate}/day ({method})"), {"rate": f(line.forecast_per_day), "method": line.method}))
        if line.dependent_per_day > 0:
            out.append((N_(", {rate}/day of it in {parents}"),
                        {"rate": f(line.dependent_per_day), "parents": ", ".join(line.parents)}))
    else:
        out.append((N_("no sales in the last {days} days"), {"days": line.history_days}))
    lead = f(line.lead_time_days)
    if line.lead_time_source == "quoted":
        out.append((N_(", lead time {days} d"), {"days": lead}))
    elif line.lead_time_source == "default":
        out.append((N_(", lead time {days} d (default: no supplier)"), {"days": lead}))
    elif line.lead_time_source == "observed":
        out.append((N_(", lead time {days} d ±{sd} (observed on {n} receipts of this product)"),
                    {"days": lead, "sd": f(line.lead_time_sd), "n": line.lead_time_receipts}))
    else:
        out.append((N_(", lead time {days} d ±{sd} (observed on {n} receipts of this supplier)"),
                    {"days": lead, "sd": f(line.lead_time_sd), "n": line.lead_time_receipts}))
    if line.has_rule:
        out.append((N_(", min {min} / max {max} (set); "), {"min": f(line.reorder_point), "max": f(line.order_up_to)}))
    else:
        out.append((N_(", safety stock {safety} ({service} service) → reorder point {rop}; "),
                    {"safety": f(line.safety_stock), "service": f"{line.service_level:.0%}", "rop": f(line.reorder_point)}))
    out.append((N_("projected {projected} (on hand {on_hand}"), {"projected": f(line.projected), "on_hand": f(line.on_hand)}))
    if line.kit_stock:
        out.append((N_(" + {qty} in kits"), {"qty": f(line.kit_stock)}))
    out.append((N_(" + on order {on_order} − reserved {reserved}"), {"on_order": f(line.on_order), "reserved": f(line.reserved)}))
    if getattr(line, "picked", 0):
        out.append((N_(" − picked for orders {qty}"), {"qty": f(line.picked)}))
    if getattr(line, "backordered", 0):
        out.append((N_(" − backordered {qty}"), {"qty": f(line.backordered)}))
    out.append((")", {}))
    if line.suggested_qty > 0:
        out.append((N_(" → order {qty}"), {"qty": f(line.suggested_qty)}))
        rounding = []
        if line.suggested_qty > line.need + 1e-9:
            out.append((N_(" (needs {need} to reach {target})"), {"need": f(line.need), "target": f(line.order_up_to)}))
            if line.moq > 1 or line.need < line.moq:
                rounding.append((N_("MOQ {moq}"), {"moq": f(line.moq)}))
            if line.pack_multiple > 1:
                rounding.append((N_("multiple {multiple}"), {"multiple": f(line.pack_multiple)}))
        else:
            out.append((N_(" to reach {target}"), {"target": f(line.order_up_to)}))
        for i, phrase in enumerate(rounding):
            out.append((": ", {}) if i == 0 else (", ", {}))
            out.append(phrase)
        if line.forecast_per_day > 0:
            days = (line.projected + line.suggested_qty) / line.forecast_per_day
            if days > LONG_COVER_DAYS:  # worth a second look: usually an MOQ far above what sells
                out.append((N_(" (lasts ~{days} days at this rate)"), {"days": f(round(days))}))
        if line.supplier is None:
            out.append((N_("; no supplier on file"), {}))
    else:
        out.append((N_(" → nothing to order"), {}))
    if not line.has_rule and line.suggested_min is not None and line.suggested_min > 0:
        out.append((N_("; no min/max set: suggest min {min} / max {max}"),
                    {"min": f(line.suggested_min), "max": f(line.suggested_max)}))
    return out
