"""The sentences that say why a quantity is suggested.

Each sentence is one whole translatable template (no fragments glued in code), countable
ones with their plural forms; the forecasting method is named in words, not by its code.
"""
from __future__ import annotations

from ..errors import N_, Np_, Npt_, english, render_template
from ..punctuation import join_sentences

LONG_COVER_DAYS = 180

# The forecasting method families (domain/planning/forecast.py) in words.
METHOD_LABELS = {
    "ma": Npt_("forecast method", "moving average"),
    "ses": Npt_("forecast method", "exponential smoothing"),
    "croston": Npt_("forecast method", "Croston's method for irregular demand"),
    "sba": Npt_("forecast method", "Syntetos–Boylan method for irregular demand"),
    "none": Npt_("forecast method", "no demand"),
}


def method_label(code: str) -> str:
    """The words for a method code ("ma28" is the moving average too); unknown codes pass through."""
    code = str(code or "")
    family = "ma" if code.startswith("ma") and code[2:].isdigit() else code
    return METHOD_LABELS.get(family, code)


def fmt(x: float) -> str:
    """12.0 -> "12", 12.25 -> "12.25", 0.04 -> "0.04" (English; the bot formats for the reader)."""
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 10 else f"{x:.1f}".rstrip("0").rstrip(".")


def _round(x: float) -> float:
    x = float(x)
    if abs(x - round(x)) < 1e-9:
        return float(round(x))
    return round(x, 2) if abs(x) < 10 else round(x, 1)


Phrase = tuple[str, dict]


def explain(line, translate=english, number=fmt) -> str:
    """One line of a plan (a PlanLine) in words, from demand to the rounded order.

    translate: the reader's gettext (identity gives English); number: formats quantities for the reader."""
    out = []
    for template, params in explain_phrases(line):
        params = {k: translate(v) if k == "method" else v for k, v in params.items()}
        out.append(render_template(template, params, translate,
                                   lambda v: number(v) if isinstance(v, float) else v))
    return join_sentences(*out)


def explain_phrases(line) -> list[Phrase]:
    """The reason as whole sentences (templates marked for translation; float params are quantities)."""
    if getattr(line, "is_kit", False):
        return [(N_("Made from components: planned through them."), {})]
    f = _round
    out: list[Phrase] = []
    method = method_label(line.method)
    if line.forecast_per_day > 0:
        if line.dependent_per_day > 0:
            out.append((N_("Sells about {rate} a day ({method}), {dependent} a day of it in {parents}."),
                        {"rate": f(line.forecast_per_day), "method": method, "dependent": f(line.dependent_per_day),
                         "parents": ", ".join(line.parents)}))
        else:
            out.append((N_("Sells about {rate} a day ({method})."), {"rate": f(line.forecast_per_day), "method": method}))
    else:
        out.append((Np_("No sales in the last {n} day.", "No sales in the last {n} days.", "n"), {"n": line.history_days}))
    lead = f(line.lead_time_days)
    if line.lead_time_source == "quoted":
        out.append((Np_("Lead time {n} day.", "Lead time {n} days.", "n"), {"n": lead}))
    elif line.lead_time_source == "default":
        out.append((Np_("Lead time {n} day (the default: no supplier).", "Lead time {n} days (the default: no supplier).", "n"),
                    {"n": lead}))
    elif line.lead_time_source == "observed":
        out.append((Np_("Lead time {days} ± {sd} days, seen on {n} receipt of this product.",
                        "Lead time {days} ± {sd} days, seen on {n} receipts of this product.", "n"),
                    {"days": lead, "sd": f(line.lead_time_sd), "n": line.lead_time_receipts}))
    else:
        out.append((Np_("Lead time {days} ± {sd} days, seen on {n} receipt of this supplier.",
                        "Lead time {days} ± {sd} days, seen on {n} receipts of this supplier.", "n"),
                    {"days": lead, "sd": f(line.lead_time_sd), "n": line.lead_time_receipts}))
    if line.has_rule:
        out.append((N_("Min {min} / max {max}, set by hand."), {"min": f(line.reorder_point), "max": f(line.order_up_to)}))
    else:
        out.append((N_("Safety stock {safety} for {service} service, so the reorder point is {rop}."),
                    {"safety": f(line.safety_stock), "service": f"{line.service_level:.0%}", "rop": f(line.reorder_point)}))
    out.append((N_("Projected {projected} = on hand {on_hand} + in kits {kits} + on order {on_order} − reserved {reserved} "
                   "− picked for orders {picked} − owed to customers {backordered}."),
                {"projected": f(line.projected), "on_hand": f(line.on_hand), "kits": f(line.kit_stock or 0),
                 "on_order": f(line.on_order), "reserved": f(line.reserved), "picked": f(getattr(line, "picked", 0) or 0),
                 "backordered": f(getattr(line, "backordered", 0) or 0)}))
    if line.suggested_qty > 0:
        rounded_up = line.suggested_qty > line.need + 1e-9
        moq = line.moq > 1 or line.need < line.moq
        if rounded_up and moq and line.pack_multiple > 1:
            out.append((N_("Order {qty}: {need} are needed to reach {target}, rounded up to the minimum order {moq} "
                           "and the multiple of {multiple}."),
                        {"qty": f(line.suggested_qty), "need": f(line.need), "target": f(line.order_up_to),
                         "moq": f(line.moq), "multiple": f(line.pack_multiple)}))
        elif rounded_up and moq:
            out.append((N_("Order {qty}: {need} are needed to reach {target}, rounded up to the minimum order {moq}."),
                        {"qty": f(line.suggested_qty), "need": f(line.need), "target": f(line.order_up_to), "moq": f(line.moq)}))
        elif rounded_up and line.pack_multiple > 1:
            out.append((N_("Order {qty}: {need} are needed to reach {target}, rounded up to the multiple of {multiple}."),
                        {"qty": f(line.suggested_qty), "need": f(line.need), "target": f(line.order_up_to),
                         "multiple": f(line.pack_multiple)}))
        elif rounded_up:
            out.append((N_("Order {qty}: {need} are needed to reach {target}."),
                        {"qty": f(line.suggested_qty), "need": f(line.need), "target": f(line.order_up_to)}))
        else:
            out.append((N_("Order {qty} to reach {target}."), {"qty": f(line.suggested_qty), "target": f(line.order_up_to)}))
        if line.forecast_per_day > 0:
            days = (line.projected + line.suggested_qty) / line.forecast_per_day
            if days > LONG_COVER_DAYS:  # worth a second look: usually an MOQ far above what sells
                out.append((Np_("That lasts about {n} day at this rate.", "That lasts about {n} days at this rate.", "n"),
                            {"n": int(round(days))}))
        if line.supplier is None:
            out.append((N_("No supplier on file."), {}))
    else:
        out.append((N_("Nothing to order."), {}))
    if not line.has_rule and line.suggested_min is not None and line.suggested_min > 0:
        out.append((N_("No min/max set: suggested min {min} / max {max}."),
                    {"min": f(line.suggested_min), "max": f(line.suggested_max)}))
    return out
