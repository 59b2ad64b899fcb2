"""The replenishment plan as a workbook, and a chart of one product's projected stock."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.planning import PlanLine, PlanResult, SupplierPerformance
from domain.errors import N_, Npt_, english
from domain.planning.projection import projection
from domain.planning.reasons import explain, method_label

from ..formatting import format_number

IDENTITY = english  # English: the template in its form for the count

YES_NO = {True: Npt_("spreadsheet cell", "Yes"), False: Npt_("spreadsheet cell", "No")}
# Where a lead time comes from (PlanLine.lead_time_source), in words.
LEAD_TIME_SOURCES = {
    "quoted": Npt_("lead time source", "the supplier's quote"), "default": Npt_("lead time source", "the default"),
    "observed": Npt_("lead time source", "receipts of this product"),
    "observed supplier": Npt_("lead time source", "receipts of this supplier"),
}

SUGGESTION_COLUMNS = [
    (N_("SKU"), "sku"), (N_("Product"), "name"), (N_("Warehouse"), "warehouse"), (N_("Supplier"), "supplier"),
    (N_("Order qty"), "suggested_qty"), (N_("Method"), "method"), (N_("Forecast/day"), "forecast_per_day"),
    (N_("Lead time (d)"), "lead_time_days"), (N_("Safety stock"), "safety_stock"), (N_("Reorder point"), "reorder_point"),
    (N_("Order-up-to"), "order_up_to"), (N_("On hand"), "on_hand"), (N_("On order"), "on_order"), (N_("Reserved"), "reserved"),
    (N_("Picked"), "picked"), (N_("Backordered"), "backordered"),
    (N_("Projected"), "projected"), (N_("MOQ"), "moq"), (N_("Multiple"), "pack_multiple"), (N_("Unit price"), "price"),
    (N_("Reason"), "reason"),
]
ALL_COLUMNS = SUGGESTION_COLUMNS[:4] + [
    (N_("Order qty"), "suggested_qty"), (N_("Method"), "method"), (N_("Forecast/day"), "forecast_per_day"),
    (N_("Sd/day"), "sigma_per_day"), (N_("Service level"), "service_level"), (N_("Lead time (d)"), "lead_time_days"),
    (N_("Lead time sd"), "lead_time_sd"), (N_("Lead time from"), "lead_time_source"), (N_("Safety stock"), "safety_stock"),
    (N_("Reorder point"), "reorder_point"), (N_("Order-up-to"), "order_up_to"), (N_("Min/max set"), "has_rule"),
    (N_("Suggested min"), "suggested_min"), (N_("Suggested max"), "suggested_max"), (N_("On hand"), "on_hand"),
    (N_("In kits"), "kit_stock"), (N_("On order"), "on_order"), (N_("Reserved"), "reserved"), (N_("Picked"), "picked"),
    (N_("Backordered"), "backordered"), (N_("Projected"), "projected"),
    (N_("Kit"), "is_kit"), (N_("Reason"), "reason"),
]
PERFORMANCE_COLUMNS = [
    (N_("Supplier"), "code"), (N_("Name"), "name"), (N_("Deliveries"), "deliveries"), (N_("On time"), "on_time_rate"),
    (N_("Fill rate"), "fill_rate"), (N_("Lead time actual (d)"), "lead_time_actual_days"),
    (N_("Lead time sd"), "lead_time_actual_sd"), (N_("Lead time quoted (d)"), "lead_time_quoted_days"),
    (N_("Late by (d)"), "late_days_mean"),
]


def _sheet(wb, title, columns, rows, first=False, translate=IDENTITY, lang="en"):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([translate(c) for c, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([_value(r, attr, translate, lang) for _, attr in columns])
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    for i, (name, attr) in enumerate(columns, start=1):
        width = 80 if attr == "reason" else max(10, len(name) + 2)
        ws.column_dimensions[get_column_letter(i)].width = width
        if attr in ("on_time_rate", "fill_rate", "service_level"):
            for cell in ws.iter_cols(min_col=i, max_col=i, min_row=2):
                for c in cell:
                    c.number_format = "0.0%"
    return ws


def _value(row, attr, translate, lang):
    """A cell in the reader's words: the reason and codes translated, booleans Yes/No; numbers stay numbers."""
    if attr == "reason":
        return explain(row, translate, number=lambda x: format_number(x, lang, max_decimals=2))
    v = getattr(row, attr)
    if attr == "method":
        return translate(method_label(v))
    if attr == "lead_time_source":
        return translate(LEAD_TIME_SOURCES.get(v, v)) if v else v
    if isinstance(v, bool):
        return translate(YES_NO[v])
    return _cell(v)


def _cell(v):
    if isinstance(v, float):
        return round(v, 3)
    return v


def write_plan_xlsx(result: PlanResult, path: str | Path, performance: list[SupplierPerformance] | None = None,
                    chart_png: str | Path | None = None, translate=IDENTITY, lang: str = "en") -> Path:
    """Sheets: Suggestions (what to order and why), All products, Suppliers; the chart if given.
    translate: the reader's gettext, for headers, sheet names and reasons."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image

    wb = Workbook()
    _sheet(wb, translate(N_("Suggestions")), SUGGESTION_COLUMNS, result.suggestions, first=True, translate=translate, lang=lang)
    _sheet(wb, translate(N_("All products")), ALL_COLUMNS, result.lines, translate=translate, lang=lang)
    if performance is not None:
        _sheet(wb, translate(N_("Suppliers")), PERFORMANCE_COLUMNS, performance, translate=translate, lang=lang)
    if chart_png is not None:
        ws = wb.create_sheet(translate(N_("Chart")))
        ws.add_image(Image(str(chart_png)), "A1")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def projection_chart(line: PlanLine, path: str | Path, today: date, days: int = 60, translate=IDENTITY, lang: str = "en") -> Path:
    """PNG: projected stock against the reorder point and safety stock for one product."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, without, with_plan = projection(line, today, days)

    def fmt(x: float) -> str:
        return format_number(x, lang, max_decimals=2)

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    ax.step(xs, without, where="post", color="#999999", linestyle="--", label=translate(N_("projected, open orders only")))
    ax.step(xs, with_plan, where="post", color="#1f77b4",
            label=translate(N_("following the plan (order {qty} today)")).format(qty=fmt(line.suggested_qty))
            if line.suggested_qty > 0 else translate(N_("following the plan")))
    ax.axhline(line.reorder_point, color="#d62728", label=translate(N_("reorder point {qty}")).format(qty=fmt(line.reorder_point)))
    ax.axhline(line.safety_stock, color="#ff7f0e", linestyle=":", label=translate(N_("safety stock {qty}")).format(qty=fmt(line.safety_stock)))
    ax.axhline(0, color="black", linewidth=0.6)
    top = max(max(with_plan), line.order_up_to, 1.0)
    ax.set_ylim(bottom=min(min(with_plan), -0.25 * top) * 1.05, top=top * 1.1)  # a never-refilled line would dwarf it
    ax.set_title(translate(N_("{sku} {name} @ {warehouse}: ~{rate}/day ({method}), lead time {days} d")).format(
        sku=line.sku, name=line.name, warehouse=line.warehouse, rate=fmt(line.forecast_per_day), method=translate(method_label(line.method)),
        days=fmt(line.lead_time_days)), fontsize=10)
    ax.set_ylabel(translate(N_("units available")))
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
